# npm install --global @usagebudget/cli
# `usagebudget webhooks test` is coming with the CLI's webhook
# commands; until then, the same call with curl.
# PARTNER_CENTER_TOKEN: an access token for Partner Center
: "${PARTNER_CENTER_BASE_URL:=https://api.partnercenter.microsoft.com}"

# Sends test-created to the registered URL (the
# registration must list it); 2 a minute, then 429.
curl --silent --show-error --fail-with-body \
  --request POST \
  --header "Authorization: Bearer $PARTNER_CENTER_TOKEN" \
  "$PARTNER_CENTER_BASE_URL/webhooks/v1/registration/validationEvents"
