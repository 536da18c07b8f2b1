#!/usr/bin/env python3
"""The seed 004 flow at campaign scale (--invoice): a contact (POST /contact,
role PRIMARY), an invoice for it, then the call with its contactUuid, bodies
as the seed shows them. A kill -9 between the invoice and the call, then a
resume (and --retry-unknown), never makes a second contact or invoice.

usage: test_dial_invoice.py PATH/TO/phonenorm
"""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dialtest as dt  # noqa: E402

HEADER = ["first_name", "last_name", "email", "phone", "inv_no", "inv_date", "due", "total"]
INVOICE = ["--invoice", "number=inv_no,date=inv_date,dueDate=due,total=total"]


class Invoice(unittest.TestCase):
    def setUp(self):
        self.tmp = dt.Tmp()
        dt.SRV.reset()

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, rows):
        listp = self.tmp.path("inv.csv")
        dt.write_csv(listp, HEADER, rows)
        return listp, self.tmp.path("inv.db")

    def steps_of(self, reqs, number):
        """[(step, record)] of one number, in arrival order."""
        contacts = {json.loads(r["response"])["uuid"]: number for r in reqs
                    if r["path"].endswith("/contact") and r["number"] == number and r["status"] == 201}
        out = []
        for r in reqs:
            if r["path"].endswith("/contact") and r["number"] == number:
                out.append(("contact", r))
            elif r["path"].endswith("/invoice") and (r["json"] or {}).get("contactUuid") in contacts:
                out.append(("invoice", r))
            elif r["path"].endswith(dt.CALL_SUFFIX) and r["number"] == number:
                out.append(("call", r))
        return out

    def test_seed_004_bodies(self):
        listp, db = self.write([
            ["John", "Doe", "john.doe@example.com", "+966501234567", "1", "2025-01-01", "2025-01-15", "100.0"],
            ["Sara", "Ali", "", "0551234567", "INV-7", "2026-02-01", "", "99.5"],
        ])
        rc, out, err = dt.dial(listp, db, "-c", "SA", *INVOICE, "--concurrency", "2")
        self.assertEqual(rc, 0, out + err)
        reqs = dt.server_requests()
        self.assertEqual(len(reqs), 6)
        steps = self.steps_of(reqs, "+966501234567")
        self.assertEqual([s for s, _ in steps], ["contact", "invoice", "call"])
        contact = json.loads(steps[0][1]["response"])["uuid"]
        self.assertEqual(steps[0][1]["body"], '{"name":"John Doe","phoneNumber":"+966501234567",'
                                              '"email":"john.doe@example.com","role":"PRIMARY"}')
        self.assertEqual(steps[1][1]["body"], '{"number":"1","date":"2025-01-01","dueDate":"2025-01-15",'
                                              '"total":100.0,"contactUuid":"%s"}' % contact)
        call = steps[2][1]["json"]
        self.assertEqual((call["numberToCall"], call["contactUuid"]), ("+966501234567", contact))
        self.assertTrue(call["metadata"]["phonenorm_dispatch_id"])
        self.assertTrue(call["metadata"]["phonenorm_campaign"])
        for r in reqs:
            self.assertEqual(r["headers"]["authorization"], "Bearer " + dt.TOKEN)
        steps = self.steps_of(reqs, "+966551234567")
        self.assertEqual([s for s, _ in steps], ["contact", "invoice", "call"])
        self.assertEqual(steps[0][1]["json"], {"name": "Sara Ali", "phoneNumber": "+966551234567", "role": "PRIMARY"})
        contact = json.loads(steps[0][1]["response"])["uuid"]
        self.assertEqual(steps[1][1]["json"], {"number": "INV-7", "date": "2026-02-01", "total": 99.5,
                                               "contactUuid": contact})
        rows = {r["e164"]: r for r in dt.journal_rows(db).values()}
        for n in ("+966501234567", "+966551234567"):
            self.assertEqual(rows[n]["state"], "accepted")
            self.assertTrue(rows[n]["contact_uuid"] and rows[n]["invoice_uuid"] and rows[n]["call_id"], rows[n])
        problems = dt.check_campaign(db, reqs)
        self.assertEqual(problems, [], "\n".join(problems))

    def test_kill_between_invoice_and_call(self):
        rows = [["P%d" % i, "Q", "", dt.sa_number(900 + i), "N%d" % i, "2026-01-0%d" % (i + 1), "", "10"]
                for i in range(3)]
        listp, db = self.write(rows)
        # The first call waits at the server, then is dropped unanswered
        # (never placed): the dialer is killed while it waits.
        dt.SRV.fault({"path": dt.CALL_SUFFIX, "delay": 2.0, "drop": True})
        p = dt.start_dial(listp, db, "-c", "SA", *INVOICE, "--concurrency", "1")
        got = dt.wait_for(lambda: [r for r in dt.server_requests(brief=True) if r["path"].endswith(dt.CALL_SUFFIX)], 30)
        self.assertTrue(got, "no call reached the server")
        dt.kill9(p)
        first = got[0]["number"]
        dt.settle()
        before = dt.SRV.control("GET", "/truth")["numbers"][first]
        self.assertEqual((len(before["contacts_created"]), len(before["invoices_created"])), (1, 1))

        rc, out, err = dt.dial(listp, db, "-c", "SA", *INVOICE, "--concurrency", "1")
        self.assertEqual(rc, 1, "the killed row is unknown: exit 1\n" + out + err)
        jrows = {r["e164"]: r for r in dt.journal_rows(db).values()}
        self.assertEqual(jrows[first]["state"], "unknown")
        self.assertTrue(jrows[first]["contact_uuid"] and jrows[first]["invoice_uuid"])
        truth = dt.SRV.control("GET", "/truth")["numbers"]
        for r in rows:
            t = truth[r[3]]
            self.assertEqual((len(t["contacts_created"]), len(t["invoices_created"])), (1, 1), r[3])
        self.assertEqual(len(truth[first]["calls_received"]), 1)
        problems = dt.check_campaign(db, killed=True)
        self.assertEqual(problems, [], "\n".join(problems))

        # An explicit --retry-unknown calls it with the contact it has.
        rc, out, err = dt.dial(listp, db, "-c", "SA", *INVOICE, "--retry-unknown")
        self.assertEqual(rc, 0, out + err)
        truth = dt.SRV.control("GET", "/truth")["numbers"]
        t = truth[first]
        self.assertEqual((len(t["contacts_created"]), len(t["invoices_created"])), (1, 1))
        self.assertEqual(len(t["calls_accepted"]), 1)
        reqs = dt.server_requests()
        last = [r for r in reqs if r["number"] == first and r["path"].endswith(dt.CALL_SUFFIX)][-1]
        self.assertEqual(last["json"]["contactUuid"], jrows[first]["contact_uuid"])
        self.assertEqual(dt.counts(db), {"accepted": 3})

    def test_invoice_rejected_no_call(self):
        listp, db = self.write([
            ["A", "B", "", dt.sa_number(950), "1", "2025-01-01", "", "10"],
            ["C", "D", "", dt.sa_number(951), "2", "2025-01-01", "", "10"],
        ])
        dt.SRV.fault({"path": "/invoice", "status": 422, "body": {"detail": [
            {"type": "value_error", "loc": ["body", "number"], "msg": "Value error, invoice number taken",
             "input": "1"}]}})
        rc, out, err = dt.dial(listp, db, "-c", "SA", *INVOICE, "--concurrency", "1")
        self.assertEqual(rc, 1, out + err)
        rows = {r["e164"]: r for r in dt.journal_rows(db).values()}
        bad = [n for n, r in rows.items() if r["state"] == "rejected"]
        self.assertEqual(len(bad), 1, rows)
        self.assertIn("invoice number taken", rows[bad[0]]["detail"])
        calls = [r["number"] for r in dt.server_requests() if r["path"].endswith(dt.CALL_SUFFIX)]
        self.assertNotIn(bad[0], calls, "a row whose invoice was refused was called")

    def test_contact_step_faults(self):
        """A 422 on the contact: rejected with the detail, no invoice, no
        call. A 429 on the contact, then a 503 on the invoice: each retried,
        one contact and one invoice in the end."""
        listp, db = self.write([
            ["A", "B", "", dt.sa_number(970), "1", "2025-01-01", "", "10"],
            ["C", "D", "", dt.sa_number(971), "2", "2025-01-01", "", "10"],
        ])
        dt.SRV.fault({"path": "/contact", "number": dt.sa_number(970), "status": 422, "body": {"detail": [
            {"type": "value_error", "loc": ["body", "email"], "msg": "Value error, contact blocked here",
             "input": None}]}},
            {"path": "/contact", "number": dt.sa_number(971), "status": 429, "retry_after": "0"},
            {"path": "/invoice", "status": 503, "retry_after": "0"})
        rc, out, err = dt.dial(listp, db, "-c", "SA", *INVOICE, "--concurrency", "1")
        self.assertEqual(rc, 1, out + err)
        rows = {r["e164"]: r for r in dt.journal_rows(db).values()}
        self.assertEqual(rows[dt.sa_number(970)]["state"], "rejected")
        self.assertIn("contact blocked here", rows[dt.sa_number(970)]["detail"])
        self.assertEqual(rows[dt.sa_number(971)]["state"], "accepted")
        truth = dt.SRV.control("GET", "/truth")["numbers"]
        self.assertEqual([len(truth[dt.sa_number(970)][k]) for k in ("contacts_created", "invoices_created",
                                                                   "calls_received")], [0, 0, 0])
        self.assertEqual([len(truth[dt.sa_number(971)][k]) for k in ("contacts_created", "invoices_created",
                                                                   "calls_accepted")], [1, 1, 1])
        self.assertEqual([r["status"] for r in dt.server_requests() if r["number"] == dt.sa_number(971)],
                         [429, 201, 503, 201, 201])

    def test_401_mid_flow_then_resume(self):
        """A 401 on the 4th, 5th or 6th request stops the run between steps;
        the resume goes on from each row's last step: one contact, one
        invoice, one call per number."""
        for at in (4, 5, 6):
            with self.subTest(auth_fail_at=at):
                dt.SRV.reset()
                listp, db = self.write([["P%d" % i, "Q", "", dt.sa_number(300 * at + i), "I%d" % i, "2026-01-01",
                                         "", "5"] for i in range(3)])
                db = self.tmp.path("a%d.db" % at)
                dt.set_mode(auth_fail_at=at)
                rc, out, err = dt.dial(listp, db, "-c", "SA", *INVOICE, "--concurrency", "1")
                self.assertEqual(rc, 4, out + err)
                self.assertEqual(len(dt.server_requests(brief=True)), at, "requests after the 401")
                states = [r["state"] for r in dt.journal_rows(db).values()]
                self.assertIn("pending", states, "a 401 is no verdict on the row")
                self.assertLessEqual(set(states), {"pending", "accepted"})
                dt.SRV.control("DELETE", "/mode")
                rc, out, err = dt.dial(listp, db, "-c", "SA", *INVOICE, "--concurrency", "1")
                self.assertEqual(rc, 0, out + err)
                truth = dt.SRV.control("GET", "/truth")["numbers"]
                for i in range(3):
                    t = truth[dt.sa_number(300 * at + i)]
                    self.assertEqual([len(t[k]) for k in ("contacts_created", "invoices_created", "calls_accepted")],
                                     [1, 1, 1], dt.sa_number(300 * at + i))
                problems = dt.check_campaign(db)
                self.assertEqual(problems, [], "\n".join(problems))

    def test_future_invoice_date_refused(self):
        listp, db = self.write([["A", "B", "", dt.sa_number(960), "1", "2999-01-01", "", "10"]])
        rc, out, err = dt.dial(listp, db, "-c", "SA", *INVOICE)
        self.assertEqual(rc, 1, out + err)
        calls = [r for r in dt.server_requests() if r["path"].endswith(dt.CALL_SUFFIX)]
        self.assertEqual(calls, [])
        self.assertEqual([r["state"] for r in dt.journal_rows(db).values()], ["rejected"])


if __name__ == "__main__":
    sys.exit(dt.main(sys.argv))
