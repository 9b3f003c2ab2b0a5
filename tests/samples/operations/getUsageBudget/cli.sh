# npm install --global @usagebudget/cli
# PARTNER_CENTER_TOKEN: an access token for Partner Center
: "${PARTNER_CENTER_BASE_URL:=https://api.partnercenter.microsoft.com}"
: "${CUSTOMER_TENANT_ID:=0c39d6d5-c70d-4c55-bc02-f620844f3fd1}"

usagebudget get "$CUSTOMER_TENANT_ID" \
  --base-url "$PARTNER_CENTER_BASE_URL"
