using AgencyBot.Core.Conversations;
using AgencyBot.Tests.Fakes;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Conversations;

public sealed class OnboardingTests
{
    private AgencyWorld _world = null!;

    [SetUp]
    public async Task SetUp() => _world = await AgencyWorld.StartAsync();

    [TearDown]
    public async Task TearDown() => await _world.DisposeAsync();

    private Task<long> BindingsAsync(long chatId) =>
        _world.Db.ScalarAsync<long>("SELECT COUNT(*) FROM chat_bindings WHERE chat_id = @chatId", new { chatId });

    [Test]
    public async Task StartWithInviteCode_BindsPrivateChat_AndWelcomeNamesProjectAgencyAndPromise()
    {
        var (projectId, code) = await _world.ProjectAsync();

        await _world.LinkPrivateChatAsync(501, code);

        var welcome = _world.Telegram.SentTo(501).Single().Text;
        Assert.Multiple(async () =>
        {
            Assert.That(welcome, Does.Contain("Website launch").And.Contain("Sreda Digital").And.Contain("15 minutes"));
            Assert.That(await _world.Db.ScalarAsync<long>("SELECT project_id FROM chat_bindings WHERE chat_id = 501"), Is.EqualTo(projectId));
        });
    }

    [Test]
    public async Task Binding_IsAnnouncedInTheProjectsStaffTopic()
    {
        var (_, code) = await _world.ProjectAsync();

        await _world.LinkPrivateChatAsync(501, code, firstName: "Anna");

        var topic = await _world.TopicAsync();
        var notice = await _world.WaitForAsync(s => s.Any(m => m.ChatId == AgencyWorld.StaffChat && m.ThreadId == topic));
        Assert.That(notice.Single(m => m.ChatId == AgencyWorld.StaffChat).Text, Does.Contain("Anna").And.Contain("linked"));
    }

    [TestCase("/start")]
    [TestCase("/start NoSuchCode123")]
    [TestCase("/start x' OR 1=1 --")]
    public async Task StartWithoutOrWithUnknownCode_AnswersPolitely_AndBindsNothing(string text)
    {
        await _world.ProjectAsync();

        _world.Telegram.ClientSends(502, text);

        var reply = (await _world.WaitForAsync(s => s.Any(m => m.ChatId == 502))).Single(m => m.ChatId == 502).Text;
        Assert.Multiple(async () =>
        {
            Assert.That(reply, Is.EqualTo(ClientTexts.Get(text == "/start" ? "StartWithoutCode" : "InvalidCode", "en")));
            Assert.That(await BindingsAsync(502), Is.Zero);
        });
    }

    [Test]
    public async Task StartWithExpiredCode_BindsNothing()
    {
        var (_, code) = await _world.ProjectAsync();
        await _world.Db.ExecuteAsync("UPDATE invites SET expires_at = 0 WHERE code = @code", new { code });

        _world.Telegram.ClientSends(503, $"/start {code}");

        var reply = (await _world.WaitForAsync(s => s.Any(m => m.ChatId == 503))).Single(m => m.ChatId == 503).Text;
        Assert.That(reply, Is.EqualTo(ClientTexts.Get("InvalidCode", "en")));
        Assert.That(await BindingsAsync(503), Is.Zero);
    }

    [Test]
    public async Task LinkInAClientGroup_BindsTheGroup()
    {
        var (projectId, code) = await _world.ProjectAsync();
        _world.Telegram.DefineGroup(-700, "Acme & Sreda", type: "group");

        _world.Telegram.ClientSends(-700, $"/link@{FakeBotApi.BotUsername} {code}", userId: 77, firstName: "Paul");

        var welcome = await _world.WaitForAsync(s => s.Any(m => m.ChatId == -700));
        Assert.That(welcome.Single(m => m.ChatId == -700).Text, Does.Contain("Website launch"));
        Assert.That(await _world.Db.ScalarAsync<long>("SELECT project_id FROM chat_bindings WHERE chat_id = -700"), Is.EqualTo(projectId));
    }

    [Test]
    public async Task FrenchClient_IsWelcomedInFrench()
    {
        var (_, code) = await _world.ProjectAsync();

        await _world.LinkPrivateChatAsync(504, code, language: "fr");

        Assert.That(_world.Telegram.SentTo(504).Single().Text, Does.StartWith("Bienvenue").And.Contain("15 minutes"));
    }

    [Test]
    public async Task ProjectLanguage_OverridesTheClientsTelegramLanguage()
    {
        var (projectId, code) = await _world.ProjectAsync();
        await _world.Db.ExecuteAsync("UPDATE projects SET language = 'fr' WHERE id = @projectId", new { projectId });

        await _world.LinkPrivateChatAsync(505, code, language: "en");

        Assert.That(_world.Telegram.SentTo(505).Single().Text, Does.StartWith("Bienvenue"));
    }

    [Test]
    public async Task ChatWithSeveralProjects_ChoosesOnAKeyboard_AndTheLastChoiceIsTheDefault()
    {
        var (first, firstCode) = await _world.ProjectAsync("Acme", "Website launch");
        var (second, secondCode) = await _world.ProjectAsync("Acme", "Monthly SEO");
        await _world.LinkPrivateChatAsync(506, firstCode);
        _world.Telegram.ClientSends(506, $"/start {secondCode}");
        var keyboard = (await _world.WaitForAsync(s => s.Any(m => m.ChatId == 506 && m.Request.Body["reply_markup"] is not null)))
            .Single(m => m.ChatId == 506 && m.Request.Body["reply_markup"] is not null);
        var buttons = keyboard.Request.Body["reply_markup"]!["inline_keyboard"]!.AsArray().Select(row => (string)row![0]!["callback_data"]!).ToList();
        Assert.That(buttons, Is.EquivalentTo(new[] { $"project:{first}", $"project:{second}" }));
        Assert.That(buttons.Select(b => System.Text.Encoding.UTF8.GetByteCount(b)), Is.All.LessThanOrEqualTo(64));

        _world.Telegram.Presses(506, keyboard.MessageId, $"project:{first}");
        await _world.WaitForAsync(s => s.Any(m => m.ChatId == 506 && m.Text?.Contains("Website launch") == true && m.Text.Contains("Got it")));
        _world.Telegram.ClientSends(506, "Question about the homepage");
        await _world.SettledAsync();

        var conversationProject = await _world.Db.ScalarAsync<long>(
            "SELECT c.project_id FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.text = 'Question about the homepage'");
        Assert.That(conversationProject, Is.EqualTo(first));
    }

    [Test]
    public async Task ForgedProjectChoice_ForAProjectOfAnotherClient_IsRefused()
    {
        var (_, acmeCode) = await _world.ProjectAsync("Acme", "Website launch");
        var (otherProject, _) = await _world.ProjectAsync("Globex", "Secret rebrand");
        await _world.LinkPrivateChatAsync(507, acmeCode);

        _world.Telegram.Presses(507, 1, $"project:{otherProject}");
        await Eventually.HoldsAsync(() => Task.FromResult(_world.Telegram.Requests.Count(r => r.Method == "answerCallbackQuery")), n => n == 1,
            AgencyWorld.Timeout, "callback answered");
        _world.Telegram.ClientSends(507, "hello");
        await _world.SettledAsync();

        var answer = _world.Telegram.Requests.Single(r => r.Method == "answerCallbackQuery");
        Assert.Multiple(async () =>
        {
            Assert.That((string?)answer.Body["text"], Is.EqualTo(ClientTexts.Get("ProjectNotAvailable", "en")));
            Assert.That(await _world.Db.ScalarAsync<long>("SELECT COUNT(*) FROM chat_bindings WHERE chat_id = 507 AND project_id = @otherProject", new { otherProject }), Is.Zero);
            Assert.That(await _world.Db.ScalarAsync<long>("SELECT COUNT(*) FROM conversations WHERE project_id = @otherProject", new { otherProject }), Is.Zero);
            Assert.That(_world.Telegram.Sent.Where(m => m.Text?.Contains("Secret rebrand") == true), Is.Empty);
        });
    }
}
