# PARTNER_CENTER_TOKEN: an app+user token for Partner Center
: "${PARTNER_CENTER_BASE_URL:=https://api.partnercenter.microsoft.com}"
: "${CUSTOMER_TENANT_ID:=0c39d6d5-c70d-4c55-bc02-f620844f3fd1}"
customers="$PARTNER_CENTER_BASE_URL/v1/customers"

curl --silent --show-error --fail-with-body \
  --header "Authorization: Bearer $PARTNER_CENTER_TOKEN" \
  "$customers/$CUSTOMER_TENANT_ID/usagesummary"
