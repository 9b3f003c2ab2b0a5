# npm install --global @usagebudget/cli
# PARTNER_CENTER_TOKEN: an access token for Partner Center
: "${PARTNER_CENTER_BASE_URL:=https://api.partnercenter.microsoft.com}"

# Sends test-created to the registered URL (the
# registration must list it); 2 a minute. --wait follows
# its delivery until the receiver has taken it.
usagebudget webhooks test \
  --base-url "$PARTNER_CENTER_BASE_URL"
