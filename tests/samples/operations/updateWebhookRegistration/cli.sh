# npm install --global @usagebudget/cli
# PARTNER_CENTER_TOKEN: an access token for Partner Center
: "${PARTNER_CENTER_BASE_URL:=https://api.partnercenter.microsoft.com}"
: "${WEBHOOK_URL:=https://alerts.fabrikam-csp.example.com/partner-center/events}"

# The whole registration: what it leaves out is dropped.
# --signature-header: the signature comes in
# x-ms-signature instead of Authorization.
usagebudget webhooks register "$WEBHOOK_URL" --update \
  --event usagerecords-thresholdExceeded \
  --event test-created --event invoice-ready \
  --signature-header \
  --base-url "$PARTNER_CENTER_BASE_URL"
