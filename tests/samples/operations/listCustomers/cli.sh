# npm install --global @usagebudget/cli
# PARTNER_CENTER_TOKEN: an access token for Partner Center
: "${PARTNER_CENTER_BASE_URL:=https://api.partnercenter.microsoft.com}"

# Every page; --json prints a JSON line per customer.
usagebudget customers \
  --base-url "$PARTNER_CENTER_BASE_URL"
