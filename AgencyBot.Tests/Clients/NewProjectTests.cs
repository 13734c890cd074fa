using System.Net.Http.Json;
using System.Text;
using AgencyBot.Core.Clients;
using AgencyBot.Sandbox;
using AgencyBot.Tests.Fakes;
using AgencyBot.Tests.Hosting;
using SkiaSharp;
using ZXing;
using ZXing.Common;

namespace AgencyBot.Tests.Clients;

/// <summary>Clients and projects are created from the staff chat: a short dialog with buttons makes the project, its
/// tasks, its topic and the invitation (text to forward in the client's language, and a QR code of the link).</summary>
public sealed class NewProjectTests : AgencyTest
{
    private const long Marie = AgencyWorld.Assistant;

    private async Task<SentMessage> AskedAsync(string question) =>
        (await World.WaitForAsync(s => s.Any(m => m.ChatId == AgencyWorld.StaffChat && m.Text?.Contains(question) == true)))
            .Last(m => m.ChatId == AgencyWorld.StaffChat && m.Text?.Contains(question) == true);

    private void Says(string text) => World.Telegram.ClientSends(AgencyWorld.StaffChat, text, userId: Marie, firstName: "Marie");

    private void Taps(SentMessage question, string label) =>
        World.Telegram.Presses(AgencyWorld.StaffChat, question.MessageId, question.Button(label), userId: Marie, firstName: "Marie");

    /// <summary>What a phone camera would read from the QR code.</summary>
    private static string ReadQr(byte[] png)
    {
        using var bitmap = SKBitmap.Decode(png).Copy(SKColorType.Bgra8888);
        var source = new RGBLuminanceSource(bitmap.Bytes, bitmap.Width, bitmap.Height, RGBLuminanceSource.BitmapFormat.BGRA32);
        var reader = new BarcodeReaderGeneric { Options = new DecodingOptions { PossibleFormats = [BarcodeFormat.QR_CODE] } };
        return reader.Decode(source)?.Text ?? throw new AssertionException("no QR code in the image");
    }

    [Test]
    public async Task NewProject_CreatesTheProjectItsTasksItsTopic_AndPostsTheInvitationInTheClientsLanguage_WithAQrCode()
    {
        (await World.Api.PostAsync("/api/templates", new StringContent(
            """{"name":"Website","tasks":[{"title":"Brief"},{"title":"Design","dueInWorkingDays":5}]}""", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();

        Says("/newproject");
        Taps(await AskedAsync("for which client?"), "New client");
        await AskedAsync("reply with the new client's name");
        Says("Globex");
        await AskedAsync("reply with the project's name");
        Says("Brand refresh");
        Taps(await AskedAsync("which template?"), "Website");
        var start = await AskedAsync("when does it start?");
        Says("someday soon");
        var unreadable = await AskedAsync("I could not read that date");
        Taps(start, "Today");
        Taps(await AskedAsync("the client's language"), "Français");
        var done = await AskedAsync("✅ Created Globex · Brand refresh");
        var topic = await World.TopicAsync("Globex · Brand refresh");
        var photo = (await World.WaitForAsync(s => s.Any(m => m.Method == "sendPhoto" && m.ThreadId == topic))).Single(m => m.Method == "sendPhoto" && m.ThreadId == topic);
        await World.SettledAsync();

        var inTopic = World.Telegram.SentTo(AgencyWorld.StaffChat).Where(m => m.ThreadId == topic && m.Method == "sendMessage").Select(m => m.Text!).ToList();
        var code = await World.Db.ScalarAsync<string>("SELECT code FROM invites");
        var link = $"https://t.me/{FakeBotApi.BotUsername}?start={code}";
        Assert.Multiple(async () =>
        {
            Assert.That(done.Text, Does.Contain("2 tasks"));
            Assert.That(unreadable.ThreadId, Is.Null, "answered where the dialog runs");
            Assert.That(await World.Db.QueryAsync<string>("SELECT title FROM tasks ORDER BY number"), Is.EqualTo(new[] { "Brief", "Design" }));
            Assert.That(await World.Db.ScalarAsync<string>("SELECT language FROM projects"), Is.EqualTo("fr"));
            Assert.That(inTopic, Has.Some.EqualTo(ClientTexts.Get("Invitation", "fr", "", "Sreda Digital", "Brand refresh", link)), "ready to forward, in French");
            Assert.That(ReadQr(Convert.FromBase64String((string)photo.Request.Body["photo"]!)), Is.EqualTo(link));
            Assert.That(World.Telegram.Sent.Where(m => m.ChatId != AgencyWorld.StaffChat && m.Text?.Contains("Globex") == true), Is.Empty,
                "the dialog's answers reach no client");
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM dialogs"), Is.Zero, "the dialog is over");
        });

        // The client opens the link: the chat is linked to the new project.
        World.Telegram.ClientSends(7301, $"/start {code}", firstName: "Hans", languageCode: "de");
        var welcome = (await World.WaitForAsync(s => s.Any(m => m.ChatId == 7301))).First(m => m.ChatId == 7301);
        Assert.That(welcome.Text, Does.StartWith("Bienvenue"), "the project's language, not the client's app language");
    }

    [Test]
    public async Task NewClient_AsksLanguageAndContact_ThenOffersItsFirstProject_AndSurvivesARestartMidway()
    {
        Says("/newclient Initech");
        Taps(await AskedAsync("New client (2/3): their language?"), "English");
        await AskedAsync("who is the contact there?");
        await World.RestartHostAsync();
        Says("Bill Lumbergh");
        var created = await AskedAsync("✅ Client Initech created");
        Taps(created, "New project for Initech");
        await AskedAsync("New project (2/5) for Initech");
        Says("/cancel");
        var cancelled = await AskedAsync("Cancelled: nothing was created");

        var client = (await World.Api.GetAsAsync<ClientAnswer[]>("/api/clients")).Single();
        Assert.Multiple(async () =>
        {
            Assert.That(client, Is.EqualTo(new ClientAnswer(client.Id, "Initech", "en", "Bill Lumbergh")));
            Assert.That(cancelled.Text, Does.Contain("nothing"));
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM projects"), Is.Zero);
        });
    }

    [Test]
    public async Task AnEmployee_CannotCreateProjects_AndSomeoneElsesDialogButtonsAreNotTheirs()
    {
        await World.StaffAsync(9002, "Léa Martin", "employee");
        World.Telegram.ClientSends(AgencyWorld.StaffChat, "/newproject", userId: 9002, firstName: "Léa");
        var refused = await AskedAsync("Only managers and assistants");
        Says("/newproject");
        var question = await AskedAsync("for which client?");
        World.Telegram.Presses(AgencyWorld.StaffChat, question.MessageId, question.Button("New client"), userId: 9002, firstName: "Léa");
        await World.SettledAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(refused.Text, Does.Contain("Only managers and assistants create"));
            Assert.That(await World.Db.ScalarAsync<string>("SELECT step FROM dialogs"), Is.EqualTo("client"), "Léa's press moved nothing");
            Assert.That(World.Telegram.Requests.Any(r => r.Method == "answerCallbackQuery" && r.Body["text"]?.ToString().Contains("someone else's") == true));
        });
    }

    [Test]
    public async Task InAProjectsTopic_OnlyTheDialogsNameAndDateStepsTakeText_AnAnswerMeanwhileStillReachesTheClient()
    {
        await World.ProjectWithClientAsync(601);
        World.Telegram.ClientSends(601, "Any news?", firstName: "Anna");
        var topic = await World.TopicAsync();
        void InTopic(string text) => World.Telegram.ClientSends(AgencyWorld.StaffChat, text, userId: Marie, firstName: "Marie", threadId: topic);

        InTopic("/newproject");
        var question = await AskedAsync("for which client?");
        InTopic("Not yet, tomorrow.");
        await World.WaitForAsync(s => s.Any(m => m.ChatId == 601 && m.Text?.StartsWith("Not yet, tomorrow.") == true));
        Taps(question, "New client");
        await AskedAsync("reply with the new client's name");
        InTopic("Globex");
        await AskedAsync("New project (2/5) for Globex");
        await World.SettledAsync();

        Assert.That(World.Telegram.SentTo(601).Where(m => m.Text?.Contains("Globex") == true), Is.Empty, "the name step's answer is the dialog's");
    }
}
