# npm install --global @usagebudget/cli
# PARTNER_CENTER_TOKEN: an access token for Partner Center
: "${PARTNER_CENTER_BASE_URL:=https://api.partnercenter.microsoft.com}"

# The names `webhooks register --event` takes, one a line.
usagebudget webhooks events \
  --base-url "$PARTNER_CENTER_BASE_URL"
