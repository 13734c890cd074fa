using AgencyBot.Core.Clients;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Conversations;

public sealed class OnboardingTests : AgencyTest
{
    private Task<long> BindingsAsync(long chatId) =>
        World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM chat_bindings WHERE chat_id = @chatId", new { chatId });

    [Test]
    public async Task StartWithInviteCode_BindsPrivateChat_AndWelcomeNamesProjectAgencyAndPromise()
    {
        var (projectId, code) = await World.ProjectAsync();

        await World.LinkPrivateChatAsync(501, code);

        var welcome = World.Telegram.SentTo(501).Single().Text;
        Assert.Multiple(async () =>
        {
            Assert.That(welcome, Does.Contain("Website launch").And.Contain("Sreda Digital").And.Contain("15 minutes"));
            Assert.That(await World.Db.ScalarAsync<long>("SELECT project_id FROM chat_bindings WHERE chat_id = 501"), Is.EqualTo(projectId));
        });
    }

    [Test]
    public async Task Binding_IsAnnouncedInTheProjectsStaffTopic()
    {
        var (_, code) = await World.ProjectAsync();

        await World.LinkPrivateChatAsync(501, code, firstName: "Anna");

        var topic = await World.TopicAsync();
        var posts = await World.WaitForAsync(s => s.Count(m => m.ChatId == AgencyWorld.StaffChat && m.ThreadId == topic) == 2);
        Assert.That(posts.Where(m => m.ChatId == AgencyWorld.StaffChat).Select(m => m.Text), Has.Exactly(1).Contain("Anna").And.Contain("linked"));
    }

    [Test]
    public async Task AProjectsTopic_IsOpenedWhenTheProjectIsCreated_BeforeAnyClientWrites()
    {
        await World.ProjectAsync();

        var topic = await World.TopicAsync();
        var sent = await World.WaitForAsync(s => s.Any(m => m.ThreadId == topic));

        Assert.Multiple(() =>
        {
            Assert.That(sent.Single(m => m.ChatId == AgencyWorld.StaffChat && m.ThreadId == topic).Text,
                Does.StartWith("📁 Acme · Website launch: this is the project's topic"));
            Assert.That(sent.Where(m => m.ChatId != AgencyWorld.StaffChat), Is.Empty, "no client involved");
        });
    }

    [Test]
    public async Task AtStartUp_AnOpenProjectWithoutATopic_GetsOne_AndAnArchivedOneDoesNot()
    {
        await World.ProjectAsync(); // its topic tells the host the staff chat has topics
        await World.TopicAsync();
        await World.Db.ExecuteAsync("""
            INSERT INTO clients (id, name, created_at) VALUES (50, 'Globex', 0);
            INSERT INTO projects (id, client_id, name, created_at) VALUES (50, 50, 'Shop', 0);
            INSERT INTO projects (id, client_id, name, created_at, archived_at) VALUES (51, 50, 'Old shop', 0, 1);
            """);

        await World.RestartHostAsync();
        await World.TopicAsync("Globex · Shop");
        await World.SettledAsync();

        Assert.That(World.Telegram.Topics.Values, Is.EquivalentTo(new[] { "Acme · Website launch", "Globex · Shop" }));
    }

    [TestCase("/start")]
    [TestCase("/start NoSuchCode123")]
    [TestCase("/start x' OR 1=1 --")]
    public async Task StartWithoutOrWithUnknownCode_AnswersPolitely_AndBindsNothing(string text)
    {
        await World.ProjectAsync();

        World.Telegram.ClientSends(502, text);

        var reply = (await World.WaitForAsync(s => s.Any(m => m.ChatId == 502))).Single(m => m.ChatId == 502).Text;
        Assert.Multiple(async () =>
        {
            Assert.That(reply, Is.EqualTo(ClientTexts.Get(text == "/start" ? "StartWithoutCode" : "InvalidCode", "en")));
            Assert.That(await BindingsAsync(502), Is.Zero);
        });
    }

    [Test]
    public async Task StartWithExpiredCode_BindsNothing()
    {
        var (_, code) = await World.ProjectAsync();
        await World.Db.ExecuteAsync("UPDATE invites SET expires_at = 0 WHERE code = @code", new { code });

        World.Telegram.ClientSends(503, $"/start {code}");

        var reply = (await World.WaitForAsync(s => s.Any(m => m.ChatId == 503))).Single(m => m.ChatId == 503).Text;
        Assert.That(reply, Is.EqualTo(ClientTexts.Get("InvalidCode", "en")));
        Assert.That(await BindingsAsync(503), Is.Zero);
    }

    [Test]
    public async Task LinkInAClientGroup_BindsTheGroup()
    {
        var (projectId, code) = await World.ProjectAsync();
        World.Telegram.DefineGroup(-700, "Acme & Sreda", type: "group");

        World.Telegram.ClientSends(-700, $"/link@{FakeBotApi.BotUsername} {code}", userId: 77, firstName: "Paul");

        var welcome = await World.WaitForAsync(s => s.Any(m => m.ChatId == -700));
        Assert.That(welcome.Single(m => m.ChatId == -700).Text, Does.Contain("Website launch"));
        Assert.That(await World.Db.ScalarAsync<long>("SELECT project_id FROM chat_bindings WHERE chat_id = -700"), Is.EqualTo(projectId));
    }

    [Test]
    public async Task FrenchClient_IsWelcomedInFrench()
    {
        var (_, code) = await World.ProjectAsync();

        await World.LinkPrivateChatAsync(504, code, language: "fr");

        Assert.That(World.Telegram.SentTo(504).Single().Text, Does.StartWith("Bienvenue").And.Contain("15 minutes"));
    }

    [Test]
    public async Task ProjectLanguage_OverridesTheClientsTelegramLanguage()
    {
        var (projectId, code) = await World.ProjectAsync();
        await World.Db.ExecuteAsync("UPDATE projects SET language = 'fr' WHERE id = @projectId", new { projectId });

        await World.LinkPrivateChatAsync(505, code, language: "en");

        Assert.That(World.Telegram.SentTo(505).Single().Text, Does.StartWith("Bienvenue"));
    }

    [Test]
    public async Task ChatWithSeveralProjects_ChoosesOnAKeyboard_AndTheLastChoiceIsTheDefault()
    {
        var (first, firstCode) = await World.ProjectAsync("Acme", "Website launch");
        var (second, secondCode) = await World.ProjectAsync("Acme", "Monthly SEO");
        await World.LinkPrivateChatAsync(506, firstCode);
        World.Telegram.ClientSends(506, $"/start {secondCode}");
        var keyboard = (await World.WaitForAsync(s => s.Any(m => m.ChatId == 506 && m.Request.Body["reply_markup"] is not null)))
            .Single(m => m.ChatId == 506 && m.Request.Body["reply_markup"] is not null);
        var buttons = keyboard.Request.Body["reply_markup"]!["inline_keyboard"]!.AsArray().Select(row => (string)row![0]!["callback_data"]!).ToList();
        Assert.That(buttons, Is.EquivalentTo(new[] { $"project:{first}", $"project:{second}" }));
        Assert.That(buttons.Select(b => System.Text.Encoding.UTF8.GetByteCount(b)), Is.All.LessThanOrEqualTo(64));

        World.Telegram.Presses(506, keyboard.MessageId, $"project:{first}");
        await World.WaitForAsync(s => s.Any(m => m.ChatId == 506 && m.Text?.Contains("Website launch") == true && m.Text.Contains("Got it")));
        World.Telegram.ClientSends(506, "Question about the homepage");
        await World.SettledAsync();

        var conversationProject = await World.Db.ScalarAsync<long>(
            "SELECT c.project_id FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.text = 'Question about the homepage'");
        Assert.That(conversationProject, Is.EqualTo(first));
    }

    [Test]
    public async Task ForgedProjectChoice_ForAProjectOfAnotherClient_IsRefused()
    {
        var (_, acmeCode) = await World.ProjectAsync("Acme", "Website launch");
        var (otherProject, _) = await World.ProjectAsync("Globex", "Secret rebrand");
        await World.LinkPrivateChatAsync(507, acmeCode);

        World.Telegram.Presses(507, 1, $"project:{otherProject}");
        await Eventually.HoldsAsync(() => Task.FromResult(World.Telegram.Requests.Count(r => r.Method == "answerCallbackQuery")), n => n == 1,
            AgencyWorld.Timeout, "callback answered");
        World.Telegram.ClientSends(507, "hello");
        await World.SettledAsync();

        var answer = World.Telegram.Requests.Single(r => r.Method == "answerCallbackQuery");
        Assert.Multiple(async () =>
        {
            Assert.That((string?)answer.Body["text"], Is.EqualTo(ClientTexts.Get("ProjectNotAvailable", "en")));
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM chat_bindings WHERE chat_id = 507 AND project_id = @otherProject", new { otherProject }), Is.Zero);
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM conversations WHERE project_id = @otherProject", new { otherProject }), Is.Zero);
            Assert.That(World.Telegram.SentTo(507).Where(m => m.Text?.Contains("Secret rebrand") == true), Is.Empty, "the client never sees it");
        });
    }
}
