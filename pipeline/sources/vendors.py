"""The column layouts of the vendors leadgate knows, as the vendors export them.

Headers are written exactly as the vendor's file has them; matching ignores case and
spacing (see :func:`pipeline.sources.layout.fold_header`).
"""

from __future__ import annotations

from pipeline.sources.layout import Layout

__all__ = ["EXPERIAN", "LEADSOURCE", "TRANSUNION", "VENDOR_LAYOUTS"]

EXPERIAN = Layout(
    source="experian",
    columns={
        "first_name": ("First Name",),
        "last_name": ("Surname",),
        "address": ("Primary Street ID (House number)", "Street Name/Apartment"),
        "city": ("City",),
        "state": ("State",),
        "zip": ("Zip Code",),
        # Experian repeats these headers; every occurrence is a candidate.
        "phone": ("Telephone # 1", "Telephone # 2", "Telephone # 3"),
        "credit_score": ("FICO_V30A_PSCRN_SCORE_VALUE",),
        "loan_balance": (
            "Total balance on open first mortgage trades reported in the last 3 months",
        ),
        # Often in implied decimals (776 = 7.76 %); the rules read it.
        "current_rate": (
            "Estimated interest rate on open with balance first mortgage loans with the "
            "largest current balance reported in the last 6 months",
        ),
    },
)

TRANSUNION = Layout(
    source="transunion",
    columns={
        "source_record_id": ("Perm_ID",),
        "first_name": ("First_Name",),
        "last_name": ("Last_Name",),
        "address": ("Address",),
        "city": ("City",),
        "state": ("State",),
        "zip": ("Zipcode",),
        "phone": ("Phone_Number",),
        "credit_score": ("FICO04 Score",),
        "loan_balance": ("Current Balance of Most Recent Mortgage",),
        "monthly_payment": ("Monthly Payment Amount of Most Recent Mortgage",),
        "mortgage_open_date": ("Open Date of Most Recent Mortgage",),
        "trigger_date": ("Trigger_Date",),
    },
    # Every TransUnion row is a credit-inquiry trigger.
    constants={"lead_kind": "trigger"},
)

# ``Lead Type`` is deliberately unmapped, so it lands in ``extra``: LeadPoint-style exports
# put the product there (Refinance, Purchase, Home Equity...), which is neither a
# ``lead_kind`` (how the lead was produced) nor ``loan_purpose`` (its own column).
LEADSOURCE = Layout(
    source="leadsource",
    columns={
        "source_record_id": ("Lead ID",),
        "first_name": ("First Name",),
        "last_name": ("Last Name",),
        "address": ("Address",),
        "city": ("City",),
        "state": ("State",),
        "zip": ("ZIP",),
        "email": ("Email",),
        "phone": ("Pri. Phone", "Sec. Phone"),
        "property_value": ("Est. Home Value",),
        # A score, a band or a grade; the rules split them.
        "credit_score": ("Credit Grade",),
        "additional_cash": ("ADD_CASH",),
        "cash_out": ("Cash Out",),
        "loan_type": ("Loan Type",),
        "loan_purpose": ("Loan Purpose",),
        "property_type": ("Prop. Desc",),
        "loan_balance": ("BAL_ONE",),
        "current_rate": ("MTG_ONE_INT",),
        "has_second_mortgage": ("MTG_TWO",),
        "second_balance": ("BAL_TWO",),
        "second_rate": ("MTG_TWO_INT",),
        "found_home": ("Found Home",),
        "down_payment": ("DOWN_PMT",),
        "property_use": ("Property Purpose",),
        "ltv": ("LTV",),
        "bid_loan_value": ("bid_loan_val",),
        "va_eligible": ("VA Eligible",),
        "consent_url": ("trustedformCertUrl",),
    },
)

VENDOR_LAYOUTS: dict[str, Layout] = {
    layout.source: layout for layout in (EXPERIAN, TRANSUNION, LEADSOURCE)
}
