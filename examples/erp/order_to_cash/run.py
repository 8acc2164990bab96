#!/usr/bin/env python3
"""Order to cash at a Rotterdam wholesaler, run the way a scheduler runs it.

    python3 examples/erp/order_to_cash/run.py build/bin/duly

Six runs of `duly run`, one per ERP export (exports/01.csv ... 06.csv), each at
the time the scheduler ran. Every firing each run must print is written out
below with the reason it fires; the script fails (exit 1) when duly prints
anything else, prints a key twice, or when the store's final `duly state`
differs from one `duly evaluate` over all the exports. See README.md.

Times: the warehouse is in Rotterdam, on CEST (UTC+2) all through May-July
2027. The warehouse calendar is Mon-Fri 08:00-18:00 and Sat 08:00-13:00;
Ascension Day (Thu 6 May 2027) is a holiday.
"""
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from erp_steps import Failure, Firing, Step, main  # noqa: E402

STEPS = [
    Step("01.csv", "2027-05-05T18:00:00Z",
         "three orders; SO-2002 waits for the customer; SO-2001 partly delivered",
         expect=[
             # Nothing is due yet: SO-2001's first point (75 %) is Fri 7 May.
         ]),
    Step("02.csv", "2027-05-10T10:00:00Z",
         "the customer confirms SO-2002's slot and it ships; SO-2001's back order arrives; "
         "the export window overlapped the last one (one row again)",
         duplicates=1,  # SO-2001's partial delivery of Wed 5 May, exported twice
         expect=[
             # SO-2001, ordered Mon 3 May 09:00: 3 working days after Monday are
             # Tue 4, Wed 5 and (Ascension Thu 6 is closed) Fri 7 -> due Fri 7 18:00.
             # Goal 9+10+10+10 = 39 h; 75 % = 29 h 15 m, reached Fri 08:15.
             # The partial delivery (30 of 40) on Wed did not stop the clock.
             Firing("SO-2001/delivery/pick_reminder/20270503T070000Z/0", "2027-05-07T06:15:00Z",
                    "75 % of 3 working days gone (Fri 08:15) and 10 cartons still missing"),
             # SO-2002 shipped Fri 7 14:00 with the carrier's ETA Tue 11 10:00, after
             # the promise (Mon 10 17:00, below): at risk, told at that instant.
             Firing("SO-2002/delivery/tell_customer/20270504T120000Z/0", "2027-05-07T12:00:00Z",
                    "the carrier's ETA (Tue 11 10:00) is after the promise: the customer hears it now"),
             Firing("SO-2001/delivery/otif_missed/20270503T070000Z/0", "2027-05-07T16:00:00Z",
                    "Fri 18:00 passed with 10 cartons missing: not in full, so not on time"),
             # SO-2002, ordered Tue 4 May 14:00: due Sat 8 13:00 (4+10+10+5 = 29 h),
             # but the clock stood still while waiting for the customer, Wed 10:00 to
             # Fri 09:00 (9 warehouse hours): due Mon 10 17:00. 75 % = 21 h 45 m:
             # 4 (Tue) + 2 (Wed) + 9 (Fri) + 5 (Sat) = 20 h, + 1 h 45 m -> Mon 09:45.
             Firing("SO-2002/delivery/pick_reminder/20270504T120000Z/0", "2027-05-10T07:45:00Z",
                    "75 % gone (Mon 09:45; the 9 paused hours do not count)"),
             # SO-2001's otif_missed repeat (due + 10 h = Mon 13:00) never fires: the
             # back order was delivered Mon 11:00.
         ]),
    Step("03.csv", "2027-05-31T07:00:00Z",
         "the nightly billing runs; SO-2002 delivered late; SO-2003's hold extended; "
         "SO-2002's invoice disputed and settled",
         expect=[
             Firing("SO-2002/delivery/otif_missed/20270504T120000Z/0", "2027-05-10T15:00:00Z",
                    "Mon 10 17:00 passed, the goods arrived Tue 11 10:30 (the last run was at 12:00)"),
             # The customer agreed 30 more days on Thu 20 May: raise_when
             # changed(hold_extension_days). The goal becomes 60 days.
             Firing("SO-2003/inventory_hold/hold_extended/20270503T080000Z/0", "2027-05-20T09:00:00Z",
                    "extension recorded: the warehouse is told (30 days, and why)"),
             # SO-2003 invoiced with the order, Mon 3 May 10:00: due Wed 2 Jun 10:00.
             Firing("SO-2003/payment/reminder/20270503T080000Z/0", "2027-05-30T08:00:00Z",
                    "3 days before net 30 (due Wed 2 Jun 10:00)"),
             # The hold's own reminder (due - 7d) was Wed 26 May on the 30-day hold;
             # the extension on 20 May moved it to Fri 25 Jun (step 6).
         ]),
    Step("04.csv", "2027-06-04T07:00:00Z",
         "an empty export: no changes, but the clock has moved",
         expect=[
             # The bank statement with SO-2003's payment of 1 June has not been
             # imported yet, so as far as duly knows the invoice is unpaid.
             Firing("SO-2003/payment/overdue/20270503T080000Z/0", "2027-06-02T08:00:00Z",
                    "net 30 passed with no payment on record: accounts receivable checks the bank"),
         ]),
    Step("05.csv", "2027-06-14T07:00:00Z",
         "the delayed bank statement of 1 June arrives (a LATE event); SO-2001 paid",
         expect=[
             # SO-2001's invoice is dated Mon 10 May 00:00 (start_at: invoice_date),
             # though the billing run posted it Tue 11 02:00: due Wed 9 Jun 00:00.
             Firing("SO-2001/payment/reminder/20270509T220000Z/0", "2027-06-05T22:00:00Z",
                    "3 days before net 30 from the invoice date (due Wed 9 Jun 00:00)"),
             # SO-2002's invoice is dated Tue 11 May: due Thu 10 Jun, plus the 7 days
             # of the dispute (Fri 21 -> Fri 28 May, clock stopped): Thu 17 Jun 00:00.
             Firing("SO-2002/payment/reminder/20270510T220000Z/0", "2027-06-13T22:00:00Z",
                    "3 days before the due date, pushed 7 days by the dispute"),
             # Not printed: SO-2003/payment/dunning_1 (due + 7d = 9 Jun). The late
             # payment event of 1 June stopped that clock before the letter was due.
         ]),
    Step("06.csv", "2027-07-01T07:00:00Z",
         "SO-2003's goods called off; SO-2002 still unpaid",
         expect=[
             Firing("SO-2002/payment/overdue/20270510T220000Z/0", "2027-06-16T22:00:00Z",
                    "SO-2002's invoice is due (Thu 17 Jun 00:00) and unpaid"),
             Firing("SO-2002/payment/dunning_1/20270510T220000Z/0", "2027-06-23T22:00:00Z",
                    "7 days late: first dunning letter"),
             # The 60-day hold from Mon 3 May 10:00 ends Fri 2 Jul 10:00; a week before:
             Firing("SO-2003/inventory_hold/hold_ending/20270503T080000Z/0", "2027-06-25T08:00:00Z",
                    "the extended hold ends in 7 days (Fri 2 Jul 10:00)"),
             Firing("SO-2002/payment/dunning_2/20270510T220000Z/0", "2027-06-30T22:00:00Z",
                    "14 days late: second dunning letter, account manager told"),
             # The credit hold (due + 30d = 17 Jul) is not due yet; SO-2003's goods
             # were released Mon 28 Jun, so release_to_stock never fires.
         ]),
]

# A firing printed by a run and then taken out of the history by a late event:
# the host already acted on it (it cannot be unsent); `duly state` shows the
# corrected history, in which it never fired.
WITHDRAWN = {
    "SO-2003/payment/overdue/20270503T080000Z/0":
        "the payment of Tue 1 Jun, exported on 14 Jun, was before the due date",
}



def extra(outcome, clock):
    """What the story claims, checked on the final state."""
    state = {(t["id"], t["target"]): t for t in outcome.final if t["kind"] == "timer"}
    # On time but not in full is not kept: SO-2001's partial delivery was on time.
    if state[("SO-2001", "delivery")]["state"] != "breached":
        raise Failure("SO-2001's delivery should be breached (not in full by the due date)")
    # The late bank statement: SO-2003 paid before the due date after all, and no
    # dunning letter went out.
    if state[("SO-2003", "payment")]["state"] != "met":
        raise Failure("SO-2003's payment should be met once the late payment event is in")
    printed = {f["key"] for fs in outcome.printed.values() for f in fs}
    if "SO-2003/payment/dunning_1/20270503T080000Z/0" in printed:
        raise Failure("SO-2003 got a dunning letter although it had paid")
    # The dispute's 7 days pushed SO-2002's due date back 7 days.
    if state[("SO-2002", "payment")]["paused_seconds"] != 7 * 86400:
        raise Failure("SO-2002's payment clock should have been stopped 7 days")
    print("checked: on time but not in full is breached (SO-2001); the late payment "
          "kept SO-2003 out of dunning; the dispute stopped SO-2002's clock 7 days")


if __name__ == "__main__":
    sys.exit(main(HERE, STEPS, "Europe/Amsterdam", WITHDRAWN, extra))
