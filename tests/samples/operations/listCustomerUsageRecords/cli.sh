# npm install --global @usagebudget/cli
# PARTNER_CENTER_TOKEN: an app+user token for Partner Center
: "${PARTNER_CENTER_BASE_URL:=https://api.partnercenter.microsoft.com}"

# Every record, worst first; --over 80, --json or --csv.
usagebudget report \
  --base-url "$PARTNER_CENTER_BASE_URL"
