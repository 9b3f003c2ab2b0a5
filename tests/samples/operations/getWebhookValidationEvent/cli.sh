# npm install --global @usagebudget/cli
# `usagebudget webhooks test --wait` is coming with the CLI's webhook
# commands; until then, the same call with curl.
# PARTNER_CENTER_TOKEN: an access token for Partner Center
: "${PARTNER_CENTER_BASE_URL:=https://api.partnercenter.microsoft.com}"
: "${CORRELATION_ID:=04af2aea-d413-42db-824e-f328001484d1}"

# One result per delivery attempt; kept 7 days.
curl --silent --show-error --fail-with-body \
  --header "Authorization: Bearer $PARTNER_CENTER_TOKEN" \
  "$PARTNER_CENTER_BASE_URL/webhooks/v1/registration/validationEvents/$CORRELATION_ID"
