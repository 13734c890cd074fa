using System.Net;
using AgencyBot.Tests.Fakes;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Telegram;

/// <summary>Webhook mode: Telegram calls the host; the host checks the secret, commits, answers 200.</summary>
public sealed class WebhookTests : AgencyTest
{
    private const string Secret = "s3cret_Token-1";
    private HttpClient _telegramSide = null!;

    protected override Task<AgencyWorld> StartAgencyAsync() => AgencyWorld.StartAsync(settings: new Dictionary<string, string?>
    {
        ["Telegram:Mode"] = "Webhook",
        ["Telegram:WebhookUrl"] = "https://bot.example.com/telegram/hook",
        ["Telegram:WebhookSecret"] = Secret,
        ["Telegram:WebhookMaxConnections"] = "60",
    });

    [SetUp]
    public void SetUp() => _telegramSide = World.Host.CreateClient();

    [TearDown]
    public void TearDown() => _telegramSide.Dispose();

    private Task<HttpResponseMessage> PostAsync(string body, string? secret = Secret) =>
        _telegramSide.SendAsync(Wire.WebhookCall(new Uri("/telegram/hook", UriKind.Relative), body, secret));

    [Test]
    public async Task OnStart_TheWebhookIsSetWithTheSecretAndTheCallsAtOnce_AndNobodyPolls()
    {
        var set = await Eventually.HoldsAsync(() => Task.FromResult(World.Telegram.Requests.FirstOrDefault(r => r.Method == "setWebhook")),
            r => r is not null, AgencyWorld.Timeout, "setWebhook");

        Assert.Multiple(() =>
        {
            Assert.That((string?)set!.Body["url"], Is.EqualTo("https://bot.example.com/telegram/hook"));
            Assert.That((string?)set.Body["secret_token"], Is.EqualTo(Secret));
            Assert.That((int?)set.Body["max_connections"], Is.EqualTo(60));
            Assert.That(World.Telegram.WebhookMaxConnections, Is.EqualTo(60));
            Assert.That((bool?)set.Body["drop_pending_updates"] ?? false, Is.False);
            Assert.That(World.Telegram.GetUpdatesCalls, Is.Zero);
        });
    }

    [Test]
    public async Task AnUpdateOfANewerShape_IsStoredByteForByteAsSent_AndHandled()
    {
        const string body = """
            {"update_id":4100,  "message":{"message_id":9,"date":1764000000,"text":"hi 👋 12/05","future_field":true,
             "chat":{"id":802,"type":"private","first_name":"Ann"},"from":{"id":802,"is_bot":false,"first_name":"Ann"},
             "entities":[{"type":"date_time_future","offset":6,"length":5}]}}
            """;

        var response = await PostAsync(body);
        await World.WaitForAsync(s => s.Any(m => m.ChatId == 802));

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await World.Db.ScalarAsync<string>("SELECT payload FROM inbox WHERE update_id = 4100"), Is.EqualTo(body));
        });
    }

    [Test]
    public async Task AnUpdate_IsCommittedAndHandled_AndItsDuplicateChangesNothing()
    {
        var first = await PostAsync(Wire.TextUpdate(4001, 801, "hello over the webhook"));
        var again = await PostAsync(Wire.TextUpdate(4001, 801, "hello over the webhook"));

        await World.WaitForAsync(s => s.Any(m => m.ChatId == 801));
        await World.SettledAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM inbox WHERE update_id = 4001"), Is.EqualTo(1));
            Assert.That(World.Telegram.SentTo(801), Has.Count.EqualTo(1));
        });
    }

    /// <summary>Calls that come together are committed together: each one still answers 200 only once its own update
    /// is stored (and a repeat among them is stored once).</summary>
    [Test]
    public async Task ManyCallsAtOnce_EachIsStoredBeforeItsAnswer()
    {
        async Task<(HttpStatusCode Status, long Stored)> DeliverAsync(int updateId)
        {
            var response = await PostAsync(Wire.TextUpdate(updateId, 900 + updateId % 10, $"message {updateId}"));
            return (response.StatusCode, await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM inbox WHERE update_id = @updateId", new { updateId }));
        }

        var calls = await Task.WhenAll(Enumerable.Range(5000, 60).Append(5000).Select(id => Task.Run(() => DeliverAsync(id))));

        Assert.Multiple(async () =>
        {
            Assert.That(calls.Select(c => c.Status), Is.All.EqualTo(HttpStatusCode.OK));
            Assert.That(calls.Select(c => c.Stored), Is.All.EqualTo(1), "stored before its 200");
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM inbox WHERE update_id >= 5000 AND update_id < 5060"), Is.EqualTo(60));
        });
    }

    [TestCase(null)]
    [TestCase("wrong")]
    [TestCase("")]
    public async Task AWrongOrMissingSecret_Is401_AndStoresNothing(string? secret)
    {
        var response = await PostAsync(Wire.TextUpdate(4002, 802, "forged"), secret);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM inbox WHERE update_id = 4002"), Is.Zero);
    }

    [TestCase("{ not json", HttpStatusCode.BadRequest)]
    [TestCase("{\"update_id\": \"x\"}", HttpStatusCode.BadRequest)]
    [TestCase("[]", HttpStatusCode.BadRequest)]
    public async Task ABodyThatIsNotAnUpdate_Is400_AndStoresNothing(string body, HttpStatusCode expected)
    {
        var response = await PostAsync(body);

        Assert.That(response.StatusCode, Is.EqualTo(expected));
        Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM inbox"), Is.Zero);
    }

    [Test]
    public async Task AnOversizeBody_Is413_AndStoresNothing()
    {
        var huge = Wire.TextUpdate(4003, 803, new string('x', 1_200_000));

        var response = await PostAsync(huge);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
        Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM inbox"), Is.Zero);
    }
}
