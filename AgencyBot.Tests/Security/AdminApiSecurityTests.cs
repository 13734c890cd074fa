using System.Net;
using System.Text;
using AgencyBot.Tests.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AgencyBot.Tests.Security;

/// <summary>Every admin route, found from the running host's own route table, refuses callers without the key and
/// answers malformed bodies with a problem document.</summary>
public sealed class AdminApiSecurityTests : AgencyTest
{
    private IReadOnlyList<(string Method, string Path)> ApiRoutes() =>
        World.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => (m, Concrete(e.RoutePattern.RawText!))))
            .Distinct()
            .ToList();

    private static string Concrete(string pattern) =>
        System.Text.RegularExpressions.Regex.Replace(pattern, "{[^}]+}", "1");

    [Test]
    public async Task EveryApiRoute_WithoutTheKeyOrWithAWrongOne_Is401_AndChangesNothing()
    {
        var routes = ApiRoutes();
        using var anonymous = World.Host.CreateClient();
        using var wrong = World.Host.CreateClient();
        wrong.DefaultRequestHeaders.Add("X-Api-Key", TestHost.ApiKey + "x");
        var before = await World.Db.ScalarAsync<long>("SELECT (SELECT COUNT(*) FROM clients) + (SELECT COUNT(*) FROM staff) + (SELECT COUNT(*) FROM templates)");

        Assert.That(routes, Has.Count.GreaterThan(20), "the route table was read");
        foreach (var client in new[] { anonymous, wrong })
            foreach (var (method, path) in routes)
            {
                // A malformed body too: the key is checked before anything reads the request.
                using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent("{ \"name\": [", Encoding.UTF8, "application/json") };
                var response = await client.SendAsync(request);
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), $"{method} {path}");
            }
        Assert.That(await World.Db.ScalarAsync<long>("SELECT (SELECT COUNT(*) FROM clients) + (SELECT COUNT(*) FROM staff) + (SELECT COUNT(*) FROM templates)"),
            Is.EqualTo(before));
    }

    [Test]
    public async Task EveryRouteWithABody_AnswersMalformedJsonWith400Problem()
    {
        var routes = ApiRoutes().Where(r => r.Method is "POST" or "PUT" or "PATCH").ToList();
        var withBody = new List<string>();

        foreach (var (method, path) in routes)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent("{ \"name\": [1, 2", Encoding.UTF8, "application/json") };
            var response = await World.Api.SendAsync(request);
            if (response.StatusCode == HttpStatusCode.BadRequest)
            {
                Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), $"{method} {path}");
                withBody.Add($"{method} {path}");
            }
            else
            {
                // Routes that take no body ignore it; they must still answer sensibly, never a 500.
                Assert.That((int)response.StatusCode, Is.LessThan(500), $"{method} {path}");
            }
        }
        Assert.That(withBody, Has.Count.GreaterThanOrEqualTo(10));
    }

    [TestCase("/api/staff", "{\"telegramUserId\":\"not a number\",\"name\":\"x\",\"role\":\"manager\"}", "telegramUserId")]
    [TestCase("/api/projects", "{\"clientId\":true,\"name\":\"x\"}", "clientId")]
    [TestCase("/api/templates", "{\"name\":\"x\",\"tasks\":\"not a list\"}", "tasks")]
    public async Task WrongTypes_Are400Problems_NamingTheField(string path, string body, string field)
    {
        var response = await World.Api.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        var problem = await response.ReadAsAsync<Problem>();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(problem.Detail, Does.Contain($"'{field}'"));
    }
}
