using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AgencyBot.Tests.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AgencyBot.Tests.Admin;

/// <summary>The admin API is described completely: its OpenAPI document lists exactly the routes the host serves, and
/// both the document and the browsable reference need the key.</summary>
public sealed partial class OpenApiTests : AgencyTest
{
    [GeneratedRegex(@"\{(\w+)(:[^}]*)?\??\}")]
    private static partial Regex Parameter();

    private static string Normal(string route) => Parameter().Replace(route.TrimEnd('/'), "{$1}");

    [Test]
    public async Task TheDocument_ListsEveryAdminRoute_AndNothingElse()
    {
        var document = JsonDocument.Parse(await World.Api.GetStringAsync("/api/openapi/v1.json")).RootElement;
        var described = document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(method => $"{method.Name.ToUpperInvariant()} {Normal(path.Name)}"))
            .Order().ToList();
        var served = World.Host.Services.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true)
            .Where(e => !e.RoutePattern.RawText!.StartsWith("/api/openapi", StringComparison.Ordinal) && !e.RoutePattern.RawText.StartsWith("/api/reference", StringComparison.Ordinal))
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => $"{m} {Normal(e.RoutePattern.RawText!)}"))
            .Distinct().Order().ToList();

        Assert.Multiple(() =>
        {
            Assert.That(served, Has.Count.GreaterThan(40), "the route table was read");
            Assert.That(described, Is.EqualTo(served));
            Assert.That(document.GetProperty("components").GetProperty("securitySchemes").GetProperty("X-Api-Key").GetProperty("in").GetString(), Is.EqualTo("header"));
            Assert.That(document.GetProperty("paths").GetProperty("/api/staff/invites").GetProperty("post").GetProperty("responses").TryGetProperty("201", out _),
                "typed answers are described");
            var invite = document.GetProperty("components").GetProperty("schemas").GetProperty("InviteState").GetProperty("properties");
            Assert.That((invite.GetProperty("expiresAt").GetProperty("type").ToString(), invite.GetProperty("expiresAt").GetProperty("format").GetString()),
                Is.EqualTo(("string", "date-time")), "a time is ISO-8601 on the wire, and described so");
        });
    }

    [Test]
    public async Task TheDocumentAndTheReference_NeedTheKey_AndABrowserIsAskedForIt()
    {
        using var anonymous = World.Host.CreateClient();
        var document = await anonymous.GetAsync("/api/openapi/v1.json");
        var reference = await anonymous.GetAsync("/api/reference");
        using var browser = World.Host.CreateClient();
        browser.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"me:{TestHost.ApiKey}")));
        var page = await browser.GetAsync("/api/reference/v1");
        var wrong = World.Host.CreateClient();
        wrong.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("me:guess")));

        Assert.Multiple(async () =>
        {
            Assert.That(document.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(reference.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(reference.Headers.WwwAuthenticate.Single().Scheme, Is.EqualTo("Basic"));
            Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await page.Content.ReadAsStringAsync(), Does.Contain("/api/openapi/v1.json").Or.Contain("openapi"));
            Assert.That((await wrong.GetAsync("/api/reference")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }
}
