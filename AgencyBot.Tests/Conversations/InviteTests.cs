using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgencyBot.Core.Clients;
using AgencyBot.Tests.Fakes;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Conversations;

/// <summary>Invites link exactly the chats the agency means: single use by default, team invites approved by staff,
/// every invite listed and revocable; and a chat linked to several projects files nothing under a project it did not
/// choose.</summary>
public sealed class InviteTests : AgencyTest
{
    private const long Anna = 601, Bob = 602, Carol = 603;

    private async Task<string> InviteAsync(long projectId, string kind)
    {
        var response = await World.Api.PostAsJsonAsync($"/api/projects/{projectId}/invites", new { kind });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString()!;
    }

    private async Task<SentMessage> LastToAsync(long chat, int before)
    {
        await World.WaitForAsync(s => s.Count(m => m.ChatId == chat) > before);
        await World.SettledAsync();
        return World.Telegram.SentTo(chat).Last();
    }

    [Test]
    public async Task AnInviteLink_OpenedByASecondPerson_LinksNothing_AndAnswersNeverReachThem()
    {
        var (projectId, code) = await World.ProjectAsync();
        await World.LinkPrivateChatAsync(Anna, code, firstName: "Anna");
        // Anna forwards the link; Bob opens it too.
        World.Telegram.ClientSends(Bob, $"/start {code}", firstName: "Bob");
        var toBob = await LastToAsync(Bob, 0);
        World.Telegram.ClientSends(Anna, "my password please", firstName: "Anna");
        var relay = (await World.WaitForAsync(s => s.Any(m => m.Text?.Contains("my password please") == true))).Single(m => m.Text?.Contains("my password please") == true);
        World.Telegram.ClientSends(AgencyWorld.StaffChat, "Anna, your new password is X9", userId: AgencyWorld.Assistant, firstName: "Marie", threadId: relay.ThreadId);
        await World.WaitForAsync(s => s.Any(m => m.ChatId == Anna && m.Text?.StartsWith("Anna, your new password") == true));
        await World.SettledAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(toBob.Text, Is.EqualTo(ClientTexts.Get("InvalidCode", "en")));
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM chat_bindings WHERE chat_id = @Bob", new { Bob }), Is.Zero);
            Assert.That(World.Telegram.SentTo(Bob).Select(m => m.Text ?? ""), Has.None.Contains("X9"));
        });
    }

    [Test]
    public async Task ATeamInvite_LetsSeveralChatsAsk_AndNothingIsRelayedToOrFromOneBeforeStaffApprove()
    {
        var (projectId, code) = await World.ProjectAsync();
        await World.LinkPrivateChatAsync(Anna, code, firstName: "Anna");
        var team = await InviteAsync(projectId, "team");
        World.Telegram.ClientSends(Bob, $"/start {team}", firstName: "Bob");
        World.Telegram.ClientSends(Carol, $"/start {team}", firstName: "Carol");
        var askBob = (await World.WaitForAsync(s => s.Count(m => m.Text?.Contains("wants to link") == true) == 2))
            .Single(m => m.Text?.StartsWith("🔗 Bob wants to link") == true);
        World.Telegram.ClientSends(Bob, "Bob's question, before approval", firstName: "Bob");
        World.Telegram.ClientSends(Carol, "Carol's question", firstName: "Carol");
        await World.SettledAsync();
        var relayedBeforeApproval = World.Telegram.SentTo(AgencyWorld.StaffChat).Any(m => m.Text?.Contains("before approval") == true);
        // An answer in the topic now reaches the only approved chat: Anna's.
        World.Telegram.ClientSends(AgencyWorld.StaffChat, "News for the approved", userId: AgencyWorld.Assistant, firstName: "Marie", threadId: askBob.ThreadId);
        await World.WaitForAsync(s => s.Any(m => m.ChatId == Anna && m.Text?.StartsWith("News for the approved") == true));

        World.Telegram.Presses(AgencyWorld.StaffChat, askBob.MessageId, askBob.Button("Approve"), userId: AgencyWorld.Assistant, firstName: "Marie");
        World.Telegram.Presses(AgencyWorld.StaffChat, askBob.MessageId, askBob.Button("Refuse"), userId: AgencyWorld.Assistant, firstName: "Marie");
        var askCarol = World.Telegram.SentTo(AgencyWorld.StaffChat).Single(m => m.Text?.StartsWith("🔗 Carol wants to link") == true);
        World.Telegram.Presses(AgencyWorld.StaffChat, askCarol.MessageId, askCarol.Button("Refuse"), userId: AgencyWorld.Assistant, firstName: "Marie");
        await World.WaitForAsync(s => s.Any(m => m.ChatId == AgencyWorld.StaffChat && m.Text?.Contains("Bob's question, before approval") == true));
        await World.SettledAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(relayedBeforeApproval, Is.False);
            Assert.That(World.Telegram.SentTo(Bob).Select(m => m.Text ?? ""), Has.None.Contains("News for the approved"));
            Assert.That(World.Telegram.SentTo(Bob).Last().Text, Does.StartWith("Welcome!"), "approved: welcomed, and the refusal that followed changed nothing");
            Assert.That(await World.Db.QueryAsync<long>("SELECT chat_id FROM chat_bindings WHERE project_id = @projectId AND status = 'active' ORDER BY chat_id",
                new { projectId }), Is.EqualTo(new[] { Anna, Bob }));
            Assert.That(World.Telegram.SentTo(Carol).Last().Text, Is.EqualTo(ClientTexts.Get("Refused", "en", "Website launch")));
            Assert.That(World.Telegram.SentTo(AgencyWorld.StaffChat).Select(m => m.Text ?? ""), Has.None.Contains("Carol's question"));
            Assert.That(await World.Db.ScalarAsync<string>("SELECT outcome FROM held_messages WHERE chat_id = @Carol", new { Carol }), Is.EqualTo("refused"),
                "kept on record, never relayed");
        });
    }

    [Test]
    public async Task Invites_AreListedAndRevoked_ThroughTheApiAndInTheTopic()
    {
        var (projectId, used) = await World.ProjectAsync();
        await World.LinkPrivateChatAsync(Anna, used, firstName: "Anna");
        var byApi = await InviteAsync(projectId, "single");
        var inTopic = await InviteAsync(projectId, "team");
        var badKind = await World.Api.PostAsJsonAsync($"/api/projects/{projectId}/invites", new { kind = "everyone" });

        var revoked = await World.Api.DeleteAsync($"/api/projects/{projectId}/invites/{byApi}");
        var again = await World.Api.DeleteAsync($"/api/projects/{projectId}/invites/{byApi}");
        var topic = await World.TopicAsync();
        World.Telegram.ClientSends(AgencyWorld.StaffChat, "/invites", userId: AgencyWorld.Assistant, firstName: "Marie", threadId: topic);
        var list = (await World.WaitForAsync(s => s.Any(m => m.Text?.Contains("Waiting to be used:") == true))).Single(m => m.Text?.Contains("Waiting to be used:") == true);
        World.Telegram.Presses(AgencyWorld.StaffChat, list.MessageId, list.Button(inTopic[^4..]), userId: AgencyWorld.Assistant, firstName: "Marie");
        await World.WaitForAsync(s => s.Any(m => m.Text?.Contains("revoked the invite") == true));
        World.Telegram.ClientSends(Bob, $"/start {byApi}", firstName: "Bob");
        World.Telegram.ClientSends(Carol, $"/start {inTopic}", firstName: "Carol");
        await World.WaitForAsync(s => s.Any(m => m.ChatId == Bob) && s.Any(m => m.ChatId == Carol));
        await World.SettledAsync();

        var states = (await World.Api.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/invites"))
            .EnumerateArray().ToDictionary(i => i.GetProperty("code").GetString()!, i => i.GetProperty("state").GetString());
        Assert.Multiple(() =>
        {
            Assert.That(badKind.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(revoked.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(list.Text, Does.Contain(inTopic[^4..]).And.Not.Contain(byApi[^4..]), "only open invites are listed");
            Assert.That(list.Text, Does.StartWith("Joined: Anna."), "who has joined, then what waits");
            Assert.That(states, Is.EquivalentTo(new Dictionary<string, string?> { [used] = "used", [byApi] = "revoked", [inTopic] = "revoked" }));
            Assert.That(World.Telegram.SentTo(Bob).Single().Text, Is.EqualTo(ClientTexts.Get("InvalidCode", "en")));
            Assert.That(World.Telegram.SentTo(Carol).Single().Text, Is.EqualTo(ClientTexts.Get("InvalidCode", "en")));
        });
    }

    [Test]
    public async Task AGroupWaitingForApproval_StillWaitsWhenItBecomesASupergroup_AndItsApprovalFollowsIt()
    {
        const long OldGroup = -4101, NewGroup = -1004101;
        var (projectId, code) = await World.ProjectAsync();
        await World.LinkPrivateChatAsync(Anna, code, firstName: "Anna");
        World.Telegram.DefineGroup(OldGroup, "Acme board", type: "group");
        World.Telegram.ClientSends(OldGroup, $"/link {await InviteAsync(projectId, "team")}", userId: 83, firstName: "Jean");
        var ask = (await World.WaitForAsync(s => s.Any(m => m.Text?.Contains("wants to link") == true))).Single(m => m.Text?.Contains("wants to link") == true);
        World.Telegram.ClientSends(OldGroup, "Jean's question, before approval", userId: 83, firstName: "Jean");
        await World.SettledAsync();

        World.Telegram.UpgradeGroup(OldGroup, NewGroup, "Acme board");
        var (inOld, inNew) = World.Telegram.MigrationMessages(OldGroup, NewGroup, 83, "Jean");
        World.Telegram.EnqueueUpdate(inOld);
        World.Telegram.EnqueueUpdate(inNew);
        await World.SettledAsync();
        World.Telegram.ClientSends(AgencyWorld.StaffChat, "/all News for everyone linked", userId: AgencyWorld.Assistant, firstName: "Marie", threadId: ask.ThreadId);
        await World.WaitForAsync(s => s.Any(m => m.ChatId == Anna && m.Text?.StartsWith("News for everyone linked") == true));
        await World.SettledAsync();
        var reachedBeforeApproval = World.Telegram.SentTo(NewGroup).Any(m => m.Text?.StartsWith("News for everyone linked") == true);

        World.Telegram.Presses(AgencyWorld.StaffChat, ask.MessageId, ask.Button("Approve"), userId: AgencyWorld.Assistant, firstName: "Marie");
        await World.WaitForAsync(s => s.Any(m => m.ChatId == AgencyWorld.StaffChat && m.Text?.Contains("Jean's question, before approval") == true));

        Assert.Multiple(async () =>
        {
            Assert.That(reachedBeforeApproval, Is.False, "still waiting for approval after the upgrade");
            Assert.That(await World.Db.ScalarAsync<string>("SELECT status FROM chat_bindings WHERE chat_id = @NewGroup", new { NewGroup }), Is.EqualTo("active"));
        });
    }

    [Test]
    public async Task AHeldMessage_IsFiled_WhenItsChatIsLeftWithOneProject()
    {
        var (acme, acmeCode) = await World.ProjectAsync("Acme", "Website launch");
        var (globex, globexCode) = await World.ProjectAsync("Globex", "Shop");
        await World.LinkPrivateChatAsync(Anna, acmeCode, firstName: "Anna");
        await World.LinkPrivateChatAsync(Anna, globexCode, firstName: "Anna");
        await World.SettledAsync();
        World.Telegram.ClientSends(Anna, "Which one gets this?", firstName: "Anna");
        await Eventually.HoldsAsync(() => World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM held_messages WHERE released_at IS NULL"), n => n == 1,
            AgencyWorld.Timeout, "held");

        await World.Api.DeleteAsync($"/api/projects/{acme}/chats/{Anna}");
        await World.WaitForAsync(s => s.Any(m => m.ChatId == AgencyWorld.StaffChat && m.Text?.Contains("Which one gets this?") == true));

        Assert.That(await World.Db.ScalarAsync<long>(
            "SELECT c.project_id FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.text = 'Which one gets this?'"), Is.EqualTo(globex));
    }

    [Test]
    public async Task AReplyToOneProjectsMessage_IsAPick_AndWhatWaitedGoesFirst()
    {
        var (_, acmeCode) = await World.ProjectAsync("Acme", "Website launch");
        var (globex, globexCode) = await World.ProjectAsync("Globex", "Shop");
        await World.LinkPrivateChatAsync(Anna, acmeCode, firstName: "Anna");
        await World.LinkPrivateChatAsync(Anna, globexCode, firstName: "Anna");
        var welcome = World.Telegram.SentTo(Anna).Last(m => m.Text?.Contains("“Shop”") == true);
        await World.SettledAsync();
        // A message the bot sent about Globex's project, which Anna can reply to.
        await World.Db.Database.WriteAsync(async (c, t) =>
        {
            var conversation = await AgencyBot.Core.Conversations.ConversationStore.GetOrCreateAsync(c, t, globex, Anna, DateTimeOffset.UtcNow);
            var record = await AgencyBot.Core.Conversations.ConversationStore.AddMessageAsync(c, t, new AgencyBot.Core.Conversations.NewMessage(
                conversation.Id, AgencyBot.Core.Conversations.Direction.Staff, AgencyWorld.Assistant, "Marie", "text", "About the shop", AgencyWorld.StaffChat, 1, null,
                DateTimeOffset.UtcNow));
            await Dapper.SqlMapper.ExecuteAsync(c, "INSERT INTO relay_posts (chat_id, telegram_message_id, message_id) VALUES (@Anna, @Id, @record)",
                new { Anna, Id = welcome.MessageId, record }, t);
        });

        World.Telegram.ClientSends(Anna, "First, unsure which project", firstName: "Anna");
        await Eventually.HoldsAsync(() => World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM held_messages WHERE released_at IS NULL"), n => n == 1,
            AgencyWorld.Timeout, "held");
        World.Telegram.ClientSends(Anna, "It's about the shop", firstName: "Anna", replyToMessageId: welcome.MessageId);
        await World.WaitForAsync(s => s.Any(m => m.ChatId == AgencyWorld.StaffChat && m.Text?.Contains("It's about the shop") == true));
        await World.SettledAsync();

        var filed = await World.Db.QueryAsync<(string Text, long Project)>(
            "SELECT m.text, c.project_id FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.direction = 'client' ORDER BY m.id");
        Assert.That(filed, Is.EqualTo(new[] { ("First, unsure which project", globex), ("It's about the shop", globex) }));
    }

    [Test]
    public async Task RefusingOneOfTwoProjectsAChatAsked_KeepsItsMessagesWaitingForTheOther()
    {
        var (acme, _) = await World.ProjectAsync("Acme", "Website launch");
        var (globex, _) = await World.ProjectAsync("Globex", "Shop");
        World.Telegram.ClientSends(Bob, $"/start {await InviteAsync(acme, "team")}", firstName: "Bob");
        World.Telegram.ClientSends(Bob, $"/start {await InviteAsync(globex, "team")}", firstName: "Bob");
        var asks = await World.WaitForAsync(s => s.Count(m => m.Text?.Contains("wants to link") == true) == 2);
        World.Telegram.ClientSends(Bob, "Bob's question", firstName: "Bob");
        await Eventually.HoldsAsync(() => World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM held_messages WHERE released_at IS NULL"), n => n == 1,
            AgencyWorld.Timeout, "held");
        var acmeAsk = asks.Single(m => m.Text?.Contains("Acme") == true && m.Text.Contains("wants to link"));
        var globexAsk = asks.Single(m => m.Text?.Contains("Globex") == true && m.Text.Contains("wants to link"));

        World.Telegram.Presses(AgencyWorld.StaffChat, acmeAsk.MessageId, acmeAsk.Button("Refuse"), userId: AgencyWorld.Assistant, firstName: "Marie");
        await World.WaitForAsync(s => s.Any(m => m.ChatId == Bob && m.Text == ClientTexts.Get("Refused", "en", "Website launch")));
        await World.SettledAsync();
        var heldAfterRefusal = await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM held_messages WHERE released_at IS NULL");
        World.Telegram.Presses(AgencyWorld.StaffChat, globexAsk.MessageId, globexAsk.Button("Approve"), userId: AgencyWorld.Assistant, firstName: "Marie");
        await World.WaitForAsync(s => s.Any(m => m.ChatId == AgencyWorld.StaffChat && m.Text?.Contains("Bob's question") == true));

        Assert.Multiple(async () =>
        {
            Assert.That(heldAfterRefusal, Is.EqualTo(1), "still waiting for the other project");
            Assert.That(await World.Db.ScalarAsync<long>(
                "SELECT c.project_id FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.text = 'Bob''s question'"), Is.EqualTo(globex));
        });
    }

    [Test]
    public async Task AnEditOfAMessageWaitingForThePick_IsFiledAsEdited()
    {
        var (_, acmeCode) = await World.ProjectAsync("Acme", "Website launch");
        var (globex, globexCode) = await World.ProjectAsync("Globex", "Shop");
        await World.LinkPrivateChatAsync(Anna, acmeCode, firstName: "Anna");
        await World.LinkPrivateChatAsync(Anna, globexCode, firstName: "Anna");
        await World.SettledAsync();
        var written = World.Telegram.ClientSendsReturningId(Anna, "OK for 1,200 €", firstName: "Anna");
        var question = await LastToAsync(Anna, World.Telegram.SentTo(Anna).Count);
        World.Telegram.ClientEdits(Anna, written, "OK for 2,100 €", firstName: "Anna");
        await World.SettledAsync();

        World.Telegram.Presses(Anna, question.MessageId, $"project:{globex}", userId: Anna, firstName: "Anna");
        await World.WaitForAsync(s => s.Any(m => m.ChatId == AgencyWorld.StaffChat && m.Text?.Contains("OK for") == true));

        Assert.That(World.Telegram.SentTo(AgencyWorld.StaffChat).Single(m => m.Text?.Contains("OK for") == true).Text, Does.Contain("OK for 2,100 €"));
    }

    [Test]
    public async Task AChatLinkedToTwoClientsProjects_IsAskedWhichProject_AndItsMessageWaitsForThePick()
    {
        var (acme, acmeCode) = await World.ProjectAsync("Acme", "Website launch");
        var (globex, globexCode) = await World.ProjectAsync("Globex", "Shop");
        await World.LinkPrivateChatAsync(Anna, acmeCode, firstName: "Anna");
        World.Telegram.ClientSends(Anna, $"/start {globexCode}", firstName: "Anna");
        await World.WaitForAsync(s => s.Count(m => m.ChatId == Anna) >= 3);
        await World.SettledAsync();

        World.Telegram.ClientSends(Anna, "Where is the Globex invoice?", firstName: "Anna");
        World.Telegram.ClientSends(Anna, "And the delivery date?", firstName: "Anna");
        var question = await LastToAsync(Anna, World.Telegram.SentTo(Anna).Count);
        var relayedBeforeThePick = World.Telegram.SentTo(AgencyWorld.StaffChat).Any(m => m.Text?.Contains("Globex invoice") == true);
        World.Telegram.Presses(Anna, question.MessageId, $"project:{globex}", userId: Anna, firstName: "Anna");
        await World.WaitForAsync(s => s.Any(m => m.ChatId == AgencyWorld.StaffChat && m.Text?.Contains("delivery date") == true));
        World.Telegram.ClientSends(Anna, "Thanks!", firstName: "Anna");
        await World.WaitForAsync(s => s.Any(m => m.ChatId == AgencyWorld.StaffChat && m.Text?.Contains("Thanks!") == true));
        await World.SettledAsync();

        var filed = await World.Db.QueryAsync<(string Text, long Project)>(
            "SELECT m.text, c.project_id FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.direction = 'client' ORDER BY m.id");
        Assert.Multiple(() =>
        {
            Assert.That(question.Text, Is.EqualTo(ClientTexts.Get("ChooseProjectFirst", "en")));
            Assert.That(relayedBeforeThePick, Is.False);
            Assert.That(World.Telegram.SentTo(Anna).Count(m => m.Text == ClientTexts.Get("ChooseProjectFirst", "en")), Is.EqualTo(1), "asked once");
            Assert.That(filed, Is.EqualTo(new[] { ("Where is the Globex invoice?", globex), ("And the delivery date?", globex), ("Thanks!", globex) }));
            Assert.That(filed.Select(f => f.Project), Has.None.EqualTo(acme));
        });
    }
}
