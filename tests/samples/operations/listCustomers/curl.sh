# PARTNER_CENTER_TOKEN: an access token for Partner Center
: "${PARTNER_CENTER_BASE_URL:=https://api.partnercenter.microsoft.com}"

# A page of up to 500 customers (?size=1 to 500). The
# next page is its links.next: GET that uri with the
# MS-ContinuationToken it lists; the last page has none.
curl --silent --show-error --fail-with-body \
  --header "Authorization: Bearer $PARTNER_CENTER_TOKEN" \
  "$PARTNER_CENTER_BASE_URL/v1/customers"
