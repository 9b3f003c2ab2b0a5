"""Calls the reference server with the Python client that openapi-generator writes from the
published spec, as another team would, and prints what it saw as one JSON object for the test to
check.

Usage: python3 python_calls.py BASE_URL TOKEN CUSTOMER_ID FILTER
(the generated package `usagebudget` on PYTHONPATH)
"""

import decimal
import json
import sys

import usagebudget
from usagebudget.api.customers_api import CustomersApi
from usagebudget.api.usage_api import UsageApi
from usagebudget.api.usage_budget_api import UsageBudgetApi
from usagebudget.models.spending_budget import SpendingBudget

base_url, token, customer_id, customer_filter = sys.argv[1:5]
configuration = usagebudget.Configuration(host=base_url)
configuration.access_token = token
client = usagebudget.ApiClient(configuration)
budgets = UsageBudgetApi(client)
customers = CustomersApi(client)
usage = UsageApi(client)
seen = {}

seen["budgetBefore"] = budgets.get_usage_budget(customer_id).amount
seen["budgetSet"] = budgets.update_usage_budget(customer_id, SpendingBudget(amount=250.5)).amount
seen["budgetAfter"] = budgets.get_usage_budget(customer_id).amount

# Pages of one customer: the second through the MS-ContinuationToken header and seekOperation=Next.
first = customers.list_customers(size=1, filter=customer_filter)
second = customers.list_customers(seek_operation="Next", ms_continuation_token=first.continuation_token)
seen["listed"] = [customer.company_profile.company_name for customer in first.items + second.items]
seen["secondPageToken"] = second.continuation_token

summary = usage.get_customer_usage_summary(customer_id)
# A cost is any JSON value to the generator: Python's json module reads the number as a float...
seen["totalCost"] = summary.total_cost
seen["currencyCode"] = summary.currency_code
# ...and keeps every digit when the caller parses the body itself, as the spec's "Money" section says.
raw = usage.get_customer_usage_summary(customer_id, _preload_content=False)
seen["totalCostDigits"] = str(json.loads(raw.data, parse_float=decimal.Decimal)["totalCost"])

# The spec's text, not a pattern, says each member comes once: the server still refuses this.
try:
    customers.list_customers(filter='{"Field":"CompanyName","Field":"Domain","Value":"C","Operator":"starts_with"}')
    seen["repeatedMemberFilter"] = "accepted"
except usagebudget.ApiException as error:
    seen["repeatedMemberFilter"] = [error.status, json.loads(error.body)["code"]]

print(json.dumps(seen))
