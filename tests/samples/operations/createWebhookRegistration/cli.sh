# npm install --global @usagebudget/cli
# `usagebudget webhooks register "$WEBHOOK_URL"` is coming with the CLI's webhook
# commands; until then, the same call with curl.
# PARTNER_CENTER_TOKEN: an access token for Partner Center
: "${PARTNER_CENTER_BASE_URL:=https://api.partnercenter.microsoft.com}"
: "${WEBHOOK_URL:=https://alerts.fabrikam-csp.example.com/partner-center/events}"

# One registration per partner: a second POST is a 409
# WebhookRegistrationExists; update it with PUT.
curl --silent --show-error --fail-with-body \
  --request POST \
  --header "Authorization: Bearer $PARTNER_CENTER_TOKEN" \
  --header 'Content-Type: application/json' \
  --data "{\"webhookUrl\": \"$WEBHOOK_URL\",
    \"webhookEvents\": [\"usagerecords-thresholdExceeded\",
      \"test-created\"]}" \
  "$PARTNER_CENTER_BASE_URL/webhooks/v1/registration"
