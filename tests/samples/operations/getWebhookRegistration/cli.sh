# npm install --global @usagebudget/cli
# `usagebudget webhooks show` is coming with the CLI's webhook
# commands; until then, the same call with curl.
# PARTNER_CENTER_TOKEN: an access token for Partner Center
: "${PARTNER_CENTER_BASE_URL:=https://api.partnercenter.microsoft.com}"

# 404 WebhookRegistrationNotFound before the first POST.
curl --silent --show-error --fail-with-body \
  --header "Authorization: Bearer $PARTNER_CENTER_TOKEN" \
  "$PARTNER_CENTER_BASE_URL/webhooks/v1/registration"
