"""The message pipeline, one pure module per stage (see ``message.MessagePipeline``)."""
