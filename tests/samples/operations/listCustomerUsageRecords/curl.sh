# PARTNER_CENTER_TOKEN: an app+user token for Partner Center
: "${PARTNER_CENTER_BASE_URL:=https://api.partnercenter.microsoft.com}"

curl --silent --show-error --fail-with-body \
  --header "Authorization: Bearer $PARTNER_CENTER_TOKEN" \
  "$PARTNER_CENTER_BASE_URL/v1/customers/usagerecords"
