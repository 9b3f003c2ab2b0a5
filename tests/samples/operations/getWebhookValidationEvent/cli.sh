# npm install --global @usagebudget/cli
# PARTNER_CENTER_TOKEN: an access token for Partner Center
: "${PARTNER_CENTER_BASE_URL:=https://api.partnercenter.microsoft.com}"
: "${CORRELATION_ID:=04af2aea-d413-42db-824e-f328001484d1}"

# One line per delivery attempt, then the status; kept
# 7 days. --wait follows it until delivered.
usagebudget webhooks status "$CORRELATION_ID" \
  --base-url "$PARTNER_CENTER_BASE_URL"
