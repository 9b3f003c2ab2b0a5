# npm install --global @usagebudget/cli
# `usagebudget webhooks events` is coming with the CLI's webhook
# commands; until then, the same call with curl.
# PARTNER_CENTER_TOKEN: an access token for Partner Center
: "${PARTNER_CENTER_BASE_URL:=https://api.partnercenter.microsoft.com}"

# The names a registration may list in webhookEvents.
curl --silent --show-error --fail-with-body \
  --header "Authorization: Bearer $PARTNER_CENTER_TOKEN" \
  "$PARTNER_CENTER_BASE_URL/webhooks/v1/registration/events"
