using System.Net.Http.Json;
using AgencyBot.Tests.Fakes;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Conversations;

/// <summary>Every answer reaches exactly the people it is for: a project with Anna's private chat and Acme's team
/// group, answered from the project's topic.</summary>
public sealed class AnswerRoutingTests : AgencyTest
{
    private const long Anna = 601;
    private const long AcmeGroup = -1008001;
    private const long Jean = 82;
    private long _projectId;
    private int _topic;

    [SetUp]
    public async Task SetUp()
    {
        (_projectId, var code) = await World.ProjectAsync();
        await World.LinkPrivateChatAsync(Anna, code, firstName: "Anna");
        await World.LinkGroupAsync(AcmeGroup, _projectId, userId: Jean);
        _topic = await World.TopicAsync();
        await World.SettledAsync();
    }


    private async Task<SentMessage> RelayOfAsync(long chat, string text, long user, string name)
    {
        World.Telegram.ClientSends(chat, text, userId: user, firstName: name);
        var relay = (await World.WaitForAsync(s => s.Any(m => m.ChatId == AgencyWorld.StaffChat && m.Text?.Contains(text) == true)))
            .Last(m => m.ChatId == AgencyWorld.StaffChat && m.Text?.Contains(text) == true);
        await World.SettledAsync();
        return relay;
    }

    private int StaffWrites(string text, int? replyTo = null, string? quote = null)
    {
        var update = World.Telegram.ClientSends(AgencyWorld.StaffChat, text, userId: AgencyWorld.Assistant, firstName: "Marie", threadId: _topic,
            replyToMessageId: replyTo, quote: quote);
        return update;
    }

    private IReadOnlyList<long> ChatsThatGot(string text) =>
        World.Telegram.Sent.Where(m => m.Text?.StartsWith(text) == true && m.ChatId != AgencyWorld.StaffChat).Select(m => m.ChatId).ToList();

    private async Task<SentMessage> QuestionAsync() =>
        (await World.WaitForAsync(s => s.Any(m => m.ChatId == AgencyWorld.StaffChat && m.Text?.StartsWith("Who is this answer for?") == true)))
            .Last(m => m.ChatId == AgencyWorld.StaffChat && m.Text?.StartsWith("Who is this answer for?") == true);

    [Test]
    public async Task AReplyToARelayedMessage_GoesOnlyToTheChatItCameFrom_QuotingTheClientsMessage()
    {
        var annasId = World.Telegram.ClientSendsReturningId(Anna, "What is my new password?", firstName: "Anna");
        var relay = (await World.WaitForAsync(s => s.Any(m => m.Text?.Contains("What is my new password?") == true)))
            .Single(m => m.Text?.Contains("What is my new password?") == true);
        await World.SettledAsync();

        StaffWrites("Anna, your new password is X9", replyTo: relay.MessageId);

        var answer = (await World.WaitForAsync(s => s.Any(m => m.Text?.StartsWith("Anna, your new password") == true)))
            .Single(m => m.Text?.StartsWith("Anna, your new password") == true);
        await World.SettledAsync();
        Assert.Multiple(() =>
        {
            Assert.That(ChatsThatGot("Anna, your new password"), Is.EqualTo(new[] { Anna }));
            Assert.That((int?)answer.Request.Body["reply_parameters"]?["message_id"], Is.EqualTo(annasId), "the client's copy quotes her question");
        });
    }

    [Test]
    public async Task ATopicMessage_InAProjectWithSeveralChats_WaitsUntilTheStaffMemberSaysForWhom_AndTheChoiceHoldsForAWhile()
    {
        await RelayOfAsync(Anna, "Any news?", Anna, "Anna");

        StaffWrites("The designs are ready.");
        var question = await QuestionAsync();
        await World.SettledAsync();
        var sentBeforeTheChoice = ChatsThatGot("The designs are ready.");

        World.Telegram.Presses(AgencyWorld.StaffChat, question.MessageId, question.Button("Anna"), userId: AgencyWorld.Assistant, firstName: "Marie");
        await World.WaitForAsync(s => s.Any(m => m.ChatId == Anna && m.Text?.StartsWith("The designs are ready.") == true));
        // A second tap, and the next message: the choice holds.
        World.Telegram.Presses(AgencyWorld.StaffChat, question.MessageId, question.Button("Acme team"), userId: AgencyWorld.Assistant, firstName: "Marie");
        StaffWrites("Have a look when you can.");
        await World.WaitForAsync(s => s.Any(m => m.Text?.StartsWith("Have a look") == true));
        await World.SettledAsync();

        Assert.Multiple(() =>
        {
            Assert.That(sentBeforeTheChoice, Is.Empty, "nothing goes out before the staff member says for whom");
            Assert.That(ChatsThatGot("The designs are ready."), Is.EqualTo(new[] { Anna }), "a second tap sends nothing more");
            Assert.That(ChatsThatGot("Have a look"), Is.EqualTo(new[] { Anna }));
            Assert.That(World.Telegram.SentTo(AgencyWorld.StaffChat).Count(m => m.Text?.StartsWith("Who is this answer for?") == true), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task AGroupChosenAsTheRecipient_ThatBecameASupergroupSinceTheBotAsked_GetsTheAnswerAtItsNewId()
    {
        const long designGroup = -8002, designSupergroup = -1008002;
        World.Telegram.DefineGroup(designGroup, "Design team", type: "group");
        World.Telegram.ClientSends(designGroup, $"/link {await World.InviteAsync(_projectId)}", userId: 83, firstName: "Zoé");
        await World.WaitForAsync(s => s.Any(m => m.ChatId == designGroup));
        await World.SettledAsync();
        StaffWrites("The mock-ups are in the shared folder.");
        var question = await QuestionAsync();
        await World.SettledAsync();

        World.Telegram.UpgradeGroup(designGroup, designSupergroup, "Design team");
        var (inOld, inNew) = World.Telegram.MigrationMessages(designGroup, designSupergroup, 83, "Zoé");
        World.Telegram.EnqueueUpdate(inOld);
        World.Telegram.EnqueueUpdate(inNew);
        await World.SettledAsync();
        World.Telegram.Presses(AgencyWorld.StaffChat, question.MessageId, question.Button("Design team"), userId: AgencyWorld.Assistant, firstName: "Marie");

        await World.WaitForAsync(s => s.Any(m => m.ChatId == designSupergroup && m.Text?.StartsWith("The mock-ups") == true));
        await World.SettledAsync();
        Assert.That(ChatsThatGot("The mock-ups"), Is.EqualTo(new[] { designSupergroup }));
    }

    [Test]
    public async Task AnswerToANewChat_IsShownInTheTopic_AndAll_AddressesEveryChatOnPurpose()
    {
        var fromAnna = await RelayOfAsync(Anna, "Question from Anna", Anna, "Anna");
        var fromJean = await RelayOfAsync(AcmeGroup, "Question from Jean", Jean, "Jean");

        StaffWrites("For Anna", replyTo: fromAnna.MessageId);
        await World.WaitForAsync(s => s.Any(m => m.Text == "→ Anna"));
        StaffWrites("For Jean", replyTo: fromJean.MessageId);
        await World.WaitForAsync(s => s.Any(m => m.Text == "→ Acme team (group)"));
        StaffWrites("/all The site is live!");
        await World.WaitForAsync(s => s.Count(m => m.Text?.StartsWith("The site is live!") == true) == 2);
        await World.SettledAsync();

        Assert.Multiple(() =>
        {
            Assert.That(ChatsThatGot("For Anna"), Is.EqualTo(new[] { Anna }));
            Assert.That(ChatsThatGot("For Jean"), Is.EqualTo(new[] { AcmeGroup }));
            Assert.That(ChatsThatGot("The site is live!"), Is.EquivalentTo(new[] { Anna, AcmeGroup }));
            Assert.That(World.Telegram.Sent.Where(m => m.ChatId != AgencyWorld.StaffChat).Select(m => m.Text), Has.None.Contains("/all"));
            Assert.That(World.Telegram.SentTo(AgencyWorld.StaffChat).Select(m => m.Text), Has.Member("→ everyone"));
        });
    }

    [Test]
    public async Task AReplyToAPostCarryingSeveralChatsMessages_GoesToTheQuotedLinesChat_ElseTheBotAsks()
    {
        // The staff group's posts are held up, so the next relays queue and share one post.
        World.Telegram.Hang("sendMessage", times: 1);
        World.Telegram.ClientSends(Anna, "first, while the group is busy", firstName: "Anna");
        await Eventually.HoldsAsync(() => Task.FromResult(World.Telegram.Requests.Count(r => r.Method == "sendMessage" && r.Text?.Contains("while the group is busy") == true)),
            n => n == 1, AgencyWorld.Timeout, "the first relay in flight");
        World.Telegram.ClientSends(Anna, "Anna's second line", firstName: "Anna");
        World.Telegram.ClientSends(AcmeGroup, "Jean asks about the invoice", userId: Jean, firstName: "Jean");
        await Eventually.HoldsAsync(() => World.Db.ScalarAsync<long>(
                "SELECT COUNT(*) FROM outbox WHERE chat_id = @StaffChat AND state = 'pending' AND message_id IS NOT NULL", new { AgencyWorld.StaffChat }),
            n => n == 3, AgencyWorld.Timeout, "both queued behind the one in flight");
        World.Telegram.ReleaseHangs();
        var merged = (await World.WaitForAsync(s => s.Any(m => m.Text?.Contains("Anna's second line") == true && m.Text.Contains("Jean asks") == true)))
            .Single(m => m.Text?.Contains("Jean asks") == true);
        await World.SettledAsync();

        StaffWrites("The invoice went out today.", replyTo: merged.MessageId, quote: "Jean asks about the invoice");
        await World.WaitForAsync(s => s.Any(m => m.Text?.StartsWith("The invoice went out today.") == true));
        StaffWrites("Which one?", replyTo: merged.MessageId);
        var question = await QuestionAsync();
        await World.SettledAsync();

        var options = question.Request.Body["reply_markup"]!["inline_keyboard"]!.AsArray().SelectMany(r => r!.AsArray()).Select(b => (string?)b!["text"]).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(ChatsThatGot("The invoice went out today."), Is.EqualTo(new[] { AcmeGroup }));
            Assert.That(ChatsThatGot("Which one?"), Is.Empty);
            Assert.That(options, Is.EquivalentTo(new[] { "Anna", "Acme team (group)" }), "only the chats that post carried, no 'everyone'");
        });
    }

    [Test]
    public async Task AnInternalNoteSentAsAnAlbum_SendsNoPartToTheClient()
    {
        await RelayOfAsync(Anna, "Send us the photos", Anna, "Anna");

        foreach (var caption in new[] { "// photos of the client's office, do not share", null, null })
            World.Telegram.ClientSendsMedia(AgencyWorld.StaffChat, "photo", caption: caption, mediaGroupId: "album-note", userId: AgencyWorld.Assistant,
                firstName: "Marie", threadId: _topic);
        StaffWrites("/all Photos are on their way.");
        await World.WaitForAsync(s => s.Count(m => m.Text?.StartsWith("Photos are on their way.") == true) == 2);
        await Task.Delay(StaffRelayAlbumWait());
        await World.SettledAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(World.Telegram.Sent.Where(m => m.Method.StartsWith("copy") && m.ChatId != AgencyWorld.StaffChat), Is.Empty);
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM messages WHERE direction = 'note' AND media_group_id = 'album-note'"), Is.EqualTo(3));
        });
    }

    [Test]
    public async Task AnAlbumWhoseLaterPartSaysNote_IsNotSentEither()
    {
        var fromAnna = await RelayOfAsync(Anna, "Any photos?", Anna, "Anna");

        World.Telegram.ClientSendsMedia(AgencyWorld.StaffChat, "photo", mediaGroupId: "album-late-note", userId: AgencyWorld.Assistant, firstName: "Marie",
            threadId: _topic);
        World.Telegram.ClientSendsMedia(AgencyWorld.StaffChat, "photo", caption: "// internal: not for Anna", mediaGroupId: "album-late-note",
            userId: AgencyWorld.Assistant, firstName: "Marie", threadId: _topic);
        StaffWrites("Not yet, sorry.", replyTo: fromAnna.MessageId);
        await World.WaitForAsync(s => s.Any(m => m.Text?.StartsWith("Not yet, sorry.") == true));
        await Task.Delay(StaffRelayAlbumWait());
        await World.SettledAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(World.Telegram.Sent.Where(m => m.Method.StartsWith("copy") && m.ChatId != AgencyWorld.StaffChat), Is.Empty);
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM messages WHERE direction = 'note' AND media_group_id = 'album-late-note'"),
                Is.EqualTo(2), "both parts are notes");
        });
    }

    [Test]
    public async Task AnAlbumWhoseFirstPartWasQueuedAlready_BecomesANoteWhenALaterPartSaysSo_AndNothingGoesOut()
    {
        // With one client chat the first part is queued at once (nobody to ask), to wait for the rest of its album.
        await World.Api.DeleteAsync($"/api/projects/{_projectId}/chats/{AcmeGroup}");
        await RelayOfAsync(Anna, "Any photos?", Anna, "Anna");

        World.Telegram.ClientSendsMedia(AgencyWorld.StaffChat, "photo", mediaGroupId: "album-queued", userId: AgencyWorld.Assistant, firstName: "Marie",
            threadId: _topic);
        await Eventually.HoldsAsync(() => World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE chat_id = @Anna AND method = 'copyMessages'", new { Anna }),
            n => n == 1, AgencyWorld.Timeout, "the first part queued for Anna");
        World.Telegram.ClientSendsMedia(AgencyWorld.StaffChat, "photo", caption: "// internal: not for Anna", mediaGroupId: "album-queued",
            userId: AgencyWorld.Assistant, firstName: "Marie", threadId: _topic);
        var notice = (await World.WaitForAsync(s => s.Any(m => m.Text?.StartsWith("📝 This album is an internal note") == true)))
            .Single(m => m.Text?.StartsWith("📝 This album is an internal note") == true);
        await Task.Delay(StaffRelayAlbumWait());
        await World.SettledAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(World.Telegram.Sent.Where(m => m.Method.StartsWith("copy") && m.ChatId == Anna), Is.Empty);
            Assert.That(await World.Db.ScalarAsync<string>("SELECT state FROM outbox WHERE chat_id = @Anna AND method = 'copyMessages'", new { Anna }),
                Is.EqualTo("cancelled"));
            Assert.That(notice.ThreadId, Is.EqualTo(_topic));
        });
    }

    [Test]
    public async Task AStaffAlbumForOneOfSeveralChats_IsAskedAboutOnce_AndGoesWholeToTheChosenChat()
    {
        await RelayOfAsync(Anna, "Mock-ups please", Anna, "Anna");

        var parts = Enumerable.Range(0, 3).Select(i => World.Telegram.ClientSendsMedia(AgencyWorld.StaffChat, "photo", caption: i == 0 ? "Mock-ups" : null,
            mediaGroupId: "album-ask", userId: AgencyWorld.Assistant, firstName: "Marie", threadId: _topic)).ToList();
        var question = await QuestionAsync();
        await World.SettledAsync();
        World.Telegram.Presses(AgencyWorld.StaffChat, question.MessageId, question.Button("Anna"), userId: AgencyWorld.Assistant, firstName: "Marie");

        await World.WaitForAsync(s => s.Any(m => m.ChatId == Anna && m.Method == "copyMessages"));
        await World.SettledAsync();
        // One copyMessages request makes one message per part.
        var album = World.Telegram.Requests.Single(r => r.ChatId == Anna && r.Method == "copyMessages");
        Assert.Multiple(() =>
        {
            Assert.That(album.Body["message_ids"]!.AsArray().Select(n => (int)n!), Is.EqualTo(parts));
            Assert.That(World.Telegram.Sent.Where(m => m.Method.StartsWith("copy") && m.ChatId == AcmeGroup), Is.Empty);
            Assert.That(World.Telegram.SentTo(AgencyWorld.StaffChat).Count(m => m.Text?.StartsWith("Who is this answer for?") == true), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task AnEditOfAnAnswerWaitingForItsRecipient_GoesOutAsEdited()
    {
        await RelayOfAsync(Anna, "How much?", Anna, "Anna");
        var answer = World.Telegram.ClientSendsReturningId(AgencyWorld.StaffChat, "The price is 1000 €.", userId: AgencyWorld.Assistant, firstName: "Marie",
            threadId: _topic);
        var question = await QuestionAsync();
        World.Telegram.ClientEdits(AgencyWorld.StaffChat, answer, "The price is 100 €.", userId: AgencyWorld.Assistant, firstName: "Marie");
        await World.SettledAsync();

        World.Telegram.Presses(AgencyWorld.StaffChat, question.MessageId, question.Button("Anna"), userId: AgencyWorld.Assistant, firstName: "Marie");
        await World.WaitForAsync(s => s.Any(m => m.ChatId == Anna && m.Text?.StartsWith("The price is") == true));
        await World.SettledAsync();

        Assert.That(World.Telegram.SentTo(Anna).Where(m => m.Text?.StartsWith("The price is") == true).Select(m => m.Text),
            Is.EqualTo(new[] { "The price is 100 €.\n— Marie" }));
    }

    [Test]
    public async Task AnAnswerWaitingForItsRecipient_EditedIntoANote_IsRecordedAsANote_AndNotSent()
    {
        await RelayOfAsync(Anna, "How much?", Anna, "Anna");
        var answer = World.Telegram.ClientSendsReturningId(AgencyWorld.StaffChat, "The price is 1000 €.", userId: AgencyWorld.Assistant, firstName: "Marie",
            threadId: _topic);
        var question = await QuestionAsync();
        World.Telegram.ClientEdits(AgencyWorld.StaffChat, answer, "// ask Paul for the price first", userId: AgencyWorld.Assistant, firstName: "Marie");
        await World.SettledAsync();

        World.Telegram.Presses(AgencyWorld.StaffChat, question.MessageId, question.Button("Anna"), userId: AgencyWorld.Assistant, firstName: "Marie");
        await Eventually.HoldsAsync(() => Task.FromResult(World.Telegram.Requests.Count(r => r.Method == "answerCallbackQuery")), n => n == 1,
            AgencyWorld.Timeout, "the button is answered");
        await World.SettledAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(ChatsThatGot("The price is"), Is.Empty);
            Assert.That(ChatsThatGot("// ask Paul"), Is.Empty);
            Assert.That(await World.Db.ScalarAsync<string>("SELECT direction FROM messages WHERE text LIKE '// ask Paul%'"), Is.EqualTo("note"));
            Assert.That((string?)World.Telegram.Requests.Last(r => r.Method == "answerCallbackQuery").Body["text"], Does.Contain("internal note"));
        });
    }

    [Test]
    public async Task TwoChatsOfTheSameName_GetButtonsThatTellThemApart()
    {
        const long OtherAnna = 602;
        await World.LinkPrivateChatAsync(OtherAnna, await World.InviteAsync(_projectId), firstName: "Anna");
        await World.SettledAsync();

        StaffWrites("Hello Anna!");
        var labels = (await QuestionAsync()).Labels();

        Assert.Multiple(() =>
        {
            Assert.That(labels, Is.Unique);
            Assert.That(labels, Has.Member($"Anna …{Anna:0000}").And.Member($"Anna …{OtherAnna:0000}"));
        });
    }

    [Test]
    public async Task AReplyInTheTopicToAPostStillOnItsWay_WaitsForIt_RatherThanGoToTheLastChatAnswered()
    {
        var fromAnna = await RelayOfAsync(Anna, "Anna's question", Anna, "Anna");
        StaffWrites("For Anna", replyTo: fromAnna.MessageId);
        await World.WaitForAsync(s => s.Any(m => m.ChatId == Anna && m.Text?.StartsWith("For Anna") == true));
        await World.SettledAsync();
        // Telegram shows Jean's relay at once, but tells the bot its id only four seconds later.
        World.Telegram.AnswerSlowly(AgencyWorld.StaffChat, TimeSpan.FromSeconds(4));

        World.Telegram.ClientSends(AcmeGroup, "Jean's question", userId: Jean, firstName: "Jean");
        var fromJean = (await World.WaitForAsync(s => s.Any(m => m.Text?.Contains("Jean's question") == true))).Single(m => m.Text?.Contains("Jean's question") == true);
        StaffWrites("For Jean", replyTo: fromJean.MessageId);

        await World.WaitForAsync(s => s.Any(m => m.ChatId == AcmeGroup && m.Text?.StartsWith("For Jean") == true));
        Assert.That(ChatsThatGot("For Jean"), Is.EqualTo(new[] { AcmeGroup }));
    }

    [Test]
    public async Task AReplyToAColleaguesAnswer_GoesWhereThatAnswerWent()
    {
        await World.StaffAsync(9002, "Léa Martin", "employee");
        var fromJean = await RelayOfAsync(AcmeGroup, "Jean's question", Jean, "Jean");
        var leas = World.Telegram.ClientSendsReturningId(AgencyWorld.StaffChat, "Léa's answer", userId: 9002, firstName: "Léa", threadId: _topic,
            replyToMessageId: fromJean.MessageId);
        await World.WaitForAsync(s => s.Any(m => m.ChatId == AcmeGroup && m.Text?.StartsWith("Léa's answer") == true));
        await World.SettledAsync();

        StaffWrites("And one more thing from me.", replyTo: leas);
        await World.WaitForAsync(s => s.Any(m => m.Text?.StartsWith("And one more thing") == true));
        await World.SettledAsync();

        Assert.That(ChatsThatGot("And one more thing"), Is.EqualTo(new[] { AcmeGroup }));
    }

    [Test]
    public async Task AnAnswerWaitingForItsRecipient_WhoseAuthorLeftMeanwhile_IsNotSent()
    {
        await World.StaffAsync(9002, "Léa Martin", "employee");
        var leaId = await World.Db.ScalarAsync<long>("SELECT id FROM staff WHERE telegram_user_id = 9002");
        await RelayOfAsync(Anna, "Hello?", Anna, "Anna");
        World.Telegram.ClientSends(AgencyWorld.StaffChat, "A parting answer", userId: 9002, firstName: "Léa", threadId: _topic);
        var question = await QuestionAsync();
        await World.Api.PatchAsJsonAsync($"/api/staff/{leaId}", new { active = false });

        World.Telegram.Presses(AgencyWorld.StaffChat, question.MessageId, question.Button("Anna"), userId: AgencyWorld.Assistant, firstName: "Marie");
        await Eventually.HoldsAsync(() => Task.FromResult(World.Telegram.Requests.Count(r => r.Method == "answerCallbackQuery")), n => n == 1,
            AgencyWorld.Timeout, "the press answered");
        await World.SettledAsync();

        Assert.That(ChatsThatGot("A parting answer"), Is.Empty);
    }

    [Test]
    public async Task All_WithSpacesAroundItsWords_SendsJustTheWords()
    {
        StaffWrites("/all   Closed on Monday.   ");
        await World.WaitForAsync(s => s.Count(m => m.Text?.StartsWith("Closed on Monday.") == true) == 2);

        Assert.That(World.Telegram.Sent.Where(m => m.Text?.StartsWith("Closed on Monday.") == true).Select(m => m.Text!.Split('\n')[0].TrimEnd()),
            Is.All.EqualTo("Closed on Monday."));
    }

    private static TimeSpan StaffRelayAlbumWait() => AgencyBot.Core.Conversations.StaffRelay.AlbumWait + TimeSpan.FromMilliseconds(500);
}
