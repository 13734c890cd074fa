using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgencyBot.Tests.Fakes;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Security;

/// <summary>The admin API takes a limited number of calls per address and window, wrong keys included; what Telegram
/// and the container runtime call is not limited by it. The window is long, so it never turns over within a test.</summary>
public sealed class AdminApiRateLimitTests
{
    private const int Limit = 3;
    private const string Secret = "rate-limit-secret";
    private static readonly Uri Hook = new("/telegram/webhook", UriKind.Relative);
    private FakeBotApi _telegram = null!;
    private TempDatabase _db = null!;
    private TestHost _host = null!;

    [SetUp]
    public async Task SetUp()
    {
        _telegram = await FakeBotApi.StartAsync();
        _db = TempDatabase.Create();
        _host = new TestHost(_telegram, _db, new Dictionary<string, string?>
        {
            ["AdminApi:RateLimit:Requests"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["AdminApi:RateLimit:Window"] = "00:10:00",
            ["Telegram:Mode"] = "Webhook",
            ["Telegram:WebhookUrl"] = "https://bot.example.com/telegram/webhook",
            ["Telegram:WebhookSecret"] = Secret,
        }).Start();
    }

    [TearDown]
    public async Task TearDown()
    {
        await _host.DisposeAsync();
        await _telegram.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Test]
    public async Task OneCallMoreThanTheLimitWithinTheWindow_Is429Problem_WithRetryAfter_OnEveryApiPath()
    {
        using var api = _host.AdminClient();
        for (var i = 0; i < Limit; i++)
            Assert.That((await api.GetAsync("/api/staff")).StatusCode, Is.EqualTo(HttpStatusCode.OK), $"call {i + 1}");

        var refused = await api.GetAsync("/api/staff");
        var create = await api.PostAsJsonAsync("/api/clients", new { name = "Acme" });
        var unknown = await api.GetAsync("/api/no-such-route");

        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Multiple(async () =>
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(refused.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            Assert.That(problem.GetProperty("status").GetInt32(), Is.EqualTo(429));
            Assert.That(problem.GetProperty("detail").GetString(), Does.Contain($"At most {Limit} admin API calls"));
            Assert.That(refused.Headers.RetryAfter?.Delta, Is.GreaterThan(TimeSpan.Zero).And.LessThanOrEqualTo(TimeSpan.FromMinutes(10)));
            Assert.That(create.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), "the limit is per address, not per route");
            Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), "paths no route matches count as well");
            Assert.That(await _db.ScalarAsync<long>("SELECT COUNT(*) FROM clients"), Is.Zero, "a refused call changes nothing");
        });
    }

    [Test]
    public async Task CallsWithAWrongKey_CountTowardsTheLimit_SoTheKeyCannotBeGuessedQuickly()
    {
        using var guesser = _host.CreateClient();
        guesser.DefaultRequestHeaders.Add("X-Api-Key", TestHost.ApiKey + "?");
        for (var i = 0; i < Limit; i++)
            Assert.That((await guesser.GetAsync("/api/staff")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), $"guess {i + 1}");

        var nextGuess = await guesser.GetAsync("/api/staff");
        using var api = _host.AdminClient();
        var withTheKey = await api.GetAsync("/api/staff");

        Assert.Multiple(() =>
        {
            Assert.That(nextGuess.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), "a guess over the limit is not even checked");
            Assert.That(withTheKey.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), "the budget is the address's, whatever the key");
        });
    }

    [Test]
    public async Task OnceTheAdminApiIsLimited_HealthAndTheTelegramWebhook_StillAnswer()
    {
        using var api = _host.AdminClient();
        for (var i = 0; i <= Limit; i++) await api.GetAsync("/api/staff");
        Assert.That((await api.GetAsync("/api/staff")).StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), "the admin API is limited");

        using var anyone = _host.CreateClient();
        var health = new List<HttpStatusCode>();
        var webhook = new List<HttpStatusCode>();
        for (var i = 0; i < 2 * Limit; i++)
        {
            health.Add((await anyone.GetAsync("/health")).StatusCode);
            webhook.Add((await anyone.SendAsync(Wire.WebhookCall(Hook, Wire.TextUpdate(7001 + i, 70_001 + i, "hello"), Secret))).StatusCode);
        }

        Assert.Multiple(async () =>
        {
            Assert.That(health, Is.All.EqualTo(HttpStatusCode.OK));
            Assert.That(webhook, Is.All.EqualTo(HttpStatusCode.OK));
            Assert.That(await _db.ScalarAsync<long>("SELECT COUNT(*) FROM inbox"), Is.EqualTo(2 * Limit));
        });
    }
}
