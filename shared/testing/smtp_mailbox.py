"""aiosmtpd handler for Hexabase tests: a Maildir that refuses some recipients the way real servers do.

Local parts starting with "rejected" get 550 (permanent), "deferred" get 451 (try again later);
everything else is stored in the Maildir given on the command line.
"""
from aiosmtpd.handlers import Mailbox


class TestMailbox(Mailbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local.startswith("rejected"):
            return "550 5.1.1 Mailbox unavailable"
        if local.startswith("deferred"):
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"
