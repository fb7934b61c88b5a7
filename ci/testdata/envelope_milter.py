#!/usr/bin/python3
"""envelope_milter.py - a test milter that changes the envelope, on the
real libmilter (Debian's python3-milter): ci/content-test.py starts it as

    envelope_milter.py SOCKET_PATH

and it acts at the end of each message by the tag in its Subject:

  env-change     chgfrom <bounce@sender.test>, addrcpt <carol@example.net>,
                 addrcpt_par <dave@example.net> NOTIFY=SUCCESS,FAILURE
                 ORCPT=rfc822;dave@example.net, delrcpt of every
                 recipient it was shown; then accept
  env-delall     delrcpt of every recipient it was shown; accept
  env-many       addrcpt of 10,000 recipients (past the relay's limit)
  env-multiline  a three-line 550 5.7.1 reply (smfi_setmlreply)
  anything else  accept, no change

No Debian milter adds or deletes recipients on its own, hence this one.
"""

import sys

import Milter


class EnvelopeMilter(Milter.Base):
    def __init__(self):
        self.rcpts = []
        self.subject = ""

    @Milter.noreply
    def envfrom(self, mailfrom, *params):
        self.rcpts = []
        self.subject = ""
        return Milter.CONTINUE

    @Milter.noreply
    def envrcpt(self, to, *params):
        self.rcpts.append(to)
        return Milter.CONTINUE

    @Milter.noreply
    def header(self, name, value):
        if name.lower() == "subject":
            self.subject = value
        return Milter.CONTINUE

    def eom(self):
        s = self.subject
        if "env-change" in s:
            self.chgfrom("<bounce@sender.test>")
            self.addrcpt("<carol@example.net>")
            self.addrcpt("<dave@example.net>", "NOTIFY=SUCCESS,FAILURE "
                         "ORCPT=rfc822;dave@example.net")
            for r in self.rcpts:
                self.delrcpt(r)
        elif "env-delall" in s:
            for r in self.rcpts:
                self.delrcpt(r)
        elif "env-many" in s:
            try:
                for i in range(10000):
                    self.addrcpt("<many%d@example.net>" % i)
            except Milter.milter.error:
                pass  # the MTA hung up at its limit, as it should
        elif "env-multiline" in s:
            self.setreply("550", "5.7.1", "first line", "second line",
                          "third line")
            return Milter.REJECT
        return Milter.ACCEPT


def main():
    Milter.set_flags(Milter.ADDRCPT | Milter.DELRCPT | Milter.CHGFROM |
                     Milter.ADDRCPT_PAR)
    Milter.factory = EnvelopeMilter
    Milter.runmilter("envelope-milter", sys.argv[1], timeout=60)


if __name__ == "__main__":
    main()
