# npm install --global @usagebudget/cli
# PARTNER_CENTER_TOKEN: an access token for Partner Center
: "${PARTNER_CENTER_BASE_URL:=https://api.partnercenter.microsoft.com}"

# None registered yet: exit code 3. --json prints one
# JSON line.
usagebudget webhooks show \
  --base-url "$PARTNER_CENTER_BASE_URL"
