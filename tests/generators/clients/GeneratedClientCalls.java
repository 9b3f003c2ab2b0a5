import com.example.usagebudget.ApiClient;
import com.example.usagebudget.ApiException;
import com.example.usagebudget.api.CustomersApi;
import com.example.usagebudget.api.UsageApi;
import com.example.usagebudget.api.UsageBudgetApi;
import com.example.usagebudget.model.CustomerCollection;
import com.example.usagebudget.model.CustomerUsageSummary;
import com.example.usagebudget.model.SpendingBudget;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Calls the reference server with the Java client (library {@code native}) that openapi-generator
 * writes from the published spec, as another team would, and prints what it saw as one JSON
 * object for the test to check.
 *
 * <p>Usage: {@code java GeneratedClientCalls BASE_URL TOKEN CUSTOMER_ID FILTER}
 */
public final class GeneratedClientCalls {
  public static void main(String[] args) throws Exception {
    URI baseUrl = URI.create(args[0]);
    String token = args[1];
    UUID customerId = UUID.fromString(args[2]);
    String filter = args[3];

    ApiClient client = new ApiClient();
    client.setScheme(baseUrl.getScheme());
    client.setHost(baseUrl.getHost());
    client.setPort(baseUrl.getPort());
    client.setBasePath("");
    // The native library has no authentication settings: the bearer token goes on every request.
    client.setRequestInterceptor(request -> request.header("Authorization", "Bearer " + token));
    // A cost is any JSON value to the generator: Jackson reads its number as a BigDecimal, every
    // digit kept, as the spec's "Money" section says.
    client.setObjectMapper(client.getObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS));
    UsageBudgetApi budgets = new UsageBudgetApi(client);
    CustomersApi customers = new CustomersApi(client);
    UsageApi usage = new UsageApi(client);
    Map<String, Object> seen = new LinkedHashMap<>();

    seen.put("budgetBefore", amount(budgets.getUsageBudget(customerId, null, null, null, null, null, null)));
    SpendingBudget update = new SpendingBudget();
    update.setAmount(new BigDecimal("99.5"));
    seen.put("budgetSet", amount(budgets.updateUsageBudget(customerId, update, null, null, null, null, null, null)));
    seen.put("budgetAfter", amount(budgets.getUsageBudget(customerId, null, null, null, null, null, null)));

    // Pages of one customer: the second through the MS-ContinuationToken header and seekOperation=Next.
    CustomerCollection first = customers.listCustomers(null, null, null, null, null, null, 1, filter, null, null);
    CustomerCollection second =
        customers.listCustomers(null, null, null, null, null, null, null, null, "Next", first.getContinuationToken());
    List<String> listed = new ArrayList<>();
    first.getItems().forEach(customer -> listed.add(customer.getCompanyProfile().getCompanyName()));
    second.getItems().forEach(customer -> listed.add(customer.getCompanyProfile().getCompanyName()));
    seen.put("listed", listed);
    seen.put("secondPageToken", second.getContinuationToken());

    CustomerUsageSummary summary = usage.getCustomerUsageSummary(customerId, null, null, null, null, null, null);
    Object totalCost = summary.getTotalCost();
    seen.put("totalCostType", totalCost.getClass().getName());
    seen.put("totalCostDigits", totalCost instanceof BigDecimal ? ((BigDecimal) totalCost).toPlainString() : null);
    seen.put("currencyCode", summary.getCurrencyCode());

    // The spec's text, not a pattern, names the filter's fields: the server still refuses another.
    try {
      customers.listCustomers(
          null, null, null, null, null, null, null,
          "{\"Field\":\"Name\",\"Value\":\"C\",\"Operator\":\"starts_with\"}", null, null);
      seen.put("unknownFieldFilter", "accepted");
    } catch (ApiException error) {
      Map<?, ?> fault = new ObjectMapper().readValue(error.getResponseBody(), Map.class);
      seen.put("unknownFieldFilter", List.of(error.getCode(), fault.get("code")));
    }

    System.out.println(new ObjectMapper().writeValueAsString(seen));
  }

  private static String amount(SpendingBudget budget) {
    return budget.getAmount() == null ? null : budget.getAmount().toPlainString();
  }
}
