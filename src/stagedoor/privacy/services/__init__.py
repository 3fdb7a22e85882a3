"""Every write of privacy (see the modules for the rules)."""

from stagedoor.privacy.services.holds import TARGET_TYPES as TARGET_TYPES
from stagedoor.privacy.services.holds import legal_hold_place as legal_hold_place
from stagedoor.privacy.services.holds import legal_hold_release as legal_hold_release
from stagedoor.privacy.services.requests import due_requests_run as due_requests_run
from stagedoor.privacy.services.requests import erasure_request as erasure_request
from stagedoor.privacy.services.requests import erasure_run as erasure_run
from stagedoor.privacy.services.requests import export_download as export_download
from stagedoor.privacy.services.requests import export_request as export_request
from stagedoor.privacy.services.requests import export_run as export_run
from stagedoor.privacy.services.requests import exports_purge as exports_purge
from stagedoor.privacy.services.requests import request_cancel as request_cancel
from stagedoor.privacy.services.requests import staff_request_create as staff_request_create
from stagedoor.privacy.services.requests import tombstone_of as tombstone_of
from stagedoor.privacy.services.retention import RetentionReport as RetentionReport
from stagedoor.privacy.services.retention import retention_run as retention_run
