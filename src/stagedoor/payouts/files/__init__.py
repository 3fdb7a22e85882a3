"""Payout files, sans-Django: pure functions over dataclasses.

- `model`: `PayoutLine` / `PayoutBatch` (integer minor units, never floats) and the three kinds of destination;
- `sepa`: a SEPA credit transfer file (pain.001.001.03) built with `sepaxml`, validated against the bundled XSD;
- `ewallet`: a mass-payment CSV in the shape e-wallets take (Paxum/PayPal-style: e-mail, amount, currency, id, note);
- `reconcile`: the bank's answers (a pain.002 status report, a camt.054 or pain.002 return) read into
  `Outcome(end_to_end_id, outcome, reason)` rows.

Nothing here touches the database or Django settings: the payouts services pass the batch and the debtor in.
"""
