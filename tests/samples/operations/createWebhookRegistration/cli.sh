# npm install --global @usagebudget/cli
# PARTNER_CENTER_TOKEN: an access token for Partner Center
: "${PARTNER_CENTER_BASE_URL:=https://api.partnercenter.microsoft.com}"
: "${WEBHOOK_URL:=https://alerts.fabrikam-csp.example.com/partner-center/events}"

# Without --event: usagerecords-thresholdExceeded and
# test-created. One registration per partner: when there
# is one, it is shown and the exit code is 1 (--update
# replaces it).
usagebudget webhooks register "$WEBHOOK_URL" \
  --base-url "$PARTNER_CENTER_BASE_URL"
