# npm install --global @usagebudget/cli
# PARTNER_CENTER_TOKEN: an app+user token for Partner Center
: "${PARTNER_CENTER_BASE_URL:=https://api.partnercenter.microsoft.com}"

# Deprecated by Partner Center: `usagebudget report`
# covers every customer.
usagebudget partner-usage \
  --base-url "$PARTNER_CENTER_BASE_URL"
