using System.Text.Json.Nodes;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Conversations;

/// <summary>Chats changing under the bot: upgrades, removals, replies across projects, /setup misuse.</summary>
public sealed class ChatLifecycleTests : AgencyTest
{
    private static JsonObject Member(string status) => new()
    {
        ["status"] = status, ["user"] = new JsonObject { ["id"] = FakeBotApi.BotId, ["is_bot"] = true, ["first_name"] = "Agency Bot" },
    };

    [Test]
    public async Task GroupUpgradedToSupergroup_KeepsItsProject()
    {
        var (projectId, code) = await World.ProjectAsync();
        World.Telegram.DefineGroup(-555, "Acme team", type: "group");
        World.Telegram.ClientSends(-555, $"/link {code}", userId: 82, firstName: "Paul");
        await World.WaitForAsync(s => s.Any(m => m.ChatId == -555));
        await World.SettledAsync();

        World.Telegram.EnqueueUpdate(new JsonObject
        {
            ["message"] = new JsonObject
            {
                ["message_id"] = 99, ["date"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
                ["chat"] = new JsonObject { ["id"] = -555, ["type"] = "group", ["title"] = "Acme team" },
                ["from"] = new JsonObject { ["id"] = 82, ["is_bot"] = false, ["first_name"] = "Paul" },
                ["migrate_to_chat_id"] = -1000555,
            },
        });
        World.Telegram.DefineGroup(-1000555, "Acme team");
        World.Telegram.ClientSends(-1000555, "hello from the supergroup", userId: 82, firstName: "Paul");

        await World.WaitForAsync(s => s.Any(m => m.ChatId == AgencyWorld.StaffChat && m.Text?.Contains("hello from the supergroup") == true));
        Assert.That(await World.Db.ScalarAsync<long>("SELECT project_id FROM chat_bindings WHERE chat_id = -1000555"), Is.EqualTo(projectId));
    }

    [Test]
    public async Task BotRemovedFromAGroup_IsBlocked_AndLetBackIn_IsUnblocked()
    {
        var (_, code) = await World.ProjectAsync();
        World.Telegram.DefineGroup(-556, "Acme team");
        World.Telegram.ClientSends(-556, $"/link {code}", userId: 83);
        await World.WaitForAsync(s => s.Any(m => m.ChatId == -556));

        JsonObject Change(string status) => new()
        {
            ["my_chat_member"] = new JsonObject
            {
                ["chat"] = new JsonObject { ["id"] = -556, ["type"] = "supergroup", ["title"] = "Acme team" },
                ["from"] = new JsonObject { ["id"] = 83, ["is_bot"] = false, ["first_name"] = "Paul" },
                ["date"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
                ["old_chat_member"] = Member(status == "kicked" ? "member" : "kicked"),
                ["new_chat_member"] = status == "kicked" ? Member("kicked").Also(m => m["until_date"] = 0) : Member(status),
            },
        };
        World.Telegram.EnqueueUpdate(Change("kicked"));
        await World.SettledAsync();
        var blocked = await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM blocked_chats WHERE chat_id = -556");

        World.Telegram.EnqueueUpdate(Change("member"));
        await World.SettledAsync();

        Assert.That(blocked, Is.EqualTo(1));
        Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM blocked_chats WHERE chat_id = -556"), Is.Zero);
    }

    [Test]
    public async Task ClientReplyingToAnAnswer_GoesToThatAnswersProject_NotTheLastUsedOne()
    {
        var (first, firstCode) = await World.ProjectAsync("Acme", "Website launch");
        var (_, secondCode) = await World.ProjectAsync("Acme", "Monthly SEO");
        await World.LinkPrivateChatAsync(601, firstCode);
        World.Telegram.ClientSends(601, "about the website");
        var relay = (await World.WaitForAsync(s => s.Any(m => m.Text?.Contains("about the website") == true))).First(m => m.Text?.Contains("about the website") == true);
        World.Telegram.ClientSends(AgencyWorld.StaffChat, "Website answer", userId: AgencyWorld.Assistant, firstName: "Marie", threadId: relay.ThreadId);
        var answer = (await World.WaitForAsync(s => s.Any(m => m.ChatId == 601 && m.Text?.StartsWith("Website answer") == true)))
            .First(m => m.ChatId == 601 && m.Text?.StartsWith("Website answer") == true);
        World.Telegram.ClientSends(601, $"/start {secondCode}"); // SEO is now the chat's default
        await World.WaitForAsync(s => s.Any(m => m.ChatId == 601 && m.Text?.Contains("Monthly SEO") == true));

        await World.SettledAsync();
        World.Telegram.ClientSends(601, "thanks, one more thing", replyToMessageId: answer.MessageId);

        var followUp = (await World.WaitForAsync(s => s.Any(m => m.Text?.Contains("one more thing") == true))).First(m => m.Text?.Contains("one more thing") == true);
        Assert.That(followUp.ThreadId, Is.EqualTo(relay.ThreadId));
        Assert.That(await World.Db.ScalarAsync<long>(
            "SELECT c.project_id FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.text = 'thanks, one more thing'"), Is.EqualTo(first));
    }

    [Test]
    public async Task SetupWhileTheConfigurationNamesTheStaffChat_IsRefused_EvenForAManager()
    {
        await World.StaffAsync(9100, "Paul", "manager");
        World.Telegram.DefineGroup(-1007001, "Paul's group", isForum: true);
        var (_, code) = await World.ProjectAsync();
        await World.LinkPrivateChatAsync(601, code);

        World.Telegram.ClientSends(-1007001, "/setup", userId: 9100, firstName: "Paul");
        await World.WaitForAsync(s => s.Any(m => m.ChatId == -1007001));
        World.Telegram.Presses(-1007001, 1, "setup:go", userId: 9100, firstName: "Paul");
        await World.SettledAsync();
        World.Telegram.ClientSends(601, "still reaching the agency?");

        var relay = (await World.WaitForAsync(s => s.Any(m => m.Text?.Contains("still reaching") == true))).Single(m => m.Text?.Contains("still reaching") == true);
        Assert.Multiple(async () =>
        {
            Assert.That(World.Telegram.SentTo(-1007001).Single().Text, Does.Contain("set in the agency's configuration"));
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM settings WHERE key = 'staff_chat_id'"), Is.Zero);
            Assert.That(relay.ChatId, Is.EqualTo(AgencyWorld.StaffChat));
        });
    }

    // Chats on different inbox workers (chat id modulo 4), so nothing orders the two chats' updates but the test.
    private const long OldGroup = -4001, NewSupergroup = -1004002;

    [TestCase(true, TestName = "GroupUpgrade_NewSupergroupsUpdatesFirst_KeepsTheProject_AndNothingIsLost")]
    [TestCase(false, TestName = "GroupUpgrade_OldGroupsUpdateFirst_KeepsTheProject_AndNothingIsLost")]
    public async Task GroupUpgrade_InEitherOrder(bool newFirst)
    {
        var (projectId, code) = await World.ProjectAsync();
        World.Telegram.DefineGroup(OldGroup, "Acme team", type: "group");
        World.Telegram.ClientSends(OldGroup, $"/link {code}", userId: 82, firstName: "Paul");
        World.Telegram.ClientSends(OldGroup, "written before the upgrade", userId: 82, firstName: "Paul");
        await World.WaitForAsync(s => s.Any(m => m.Text?.Contains("written before the upgrade") == true));
        await World.SettledAsync();

        World.Telegram.UpgradeGroup(OldGroup, NewSupergroup, "Acme team");
        var (inOld, inNew) = World.Telegram.MigrationMessages(OldGroup, NewSupergroup, 82, "Paul");
        if (newFirst)
        {
            World.Telegram.EnqueueUpdate(inNew);
            World.Telegram.ClientSends(NewSupergroup, "hello from the supergroup", userId: 82, firstName: "Paul");
            World.Telegram.EnqueueUpdate(inOld);
        }
        else
        {
            World.Telegram.EnqueueUpdate(inOld);
            World.Telegram.EnqueueUpdate(inNew);
            World.Telegram.ClientSends(NewSupergroup, "hello from the supergroup", userId: 82, firstName: "Paul");
        }
        var relay = await World.WaitForAsync(s => s.Any(m => m.ChatId == AgencyWorld.StaffChat && m.Text?.Contains("hello from the supergroup") == true));
        World.Telegram.ClientSends(AgencyWorld.StaffChat, "Welcome to the supergroup", userId: AgencyWorld.Assistant, firstName: "Marie",
            threadId: relay.Last(m => m.Text?.Contains("hello from the supergroup") == true).ThreadId);
        await World.WaitForAsync(s => s.Any(m => m.ChatId == NewSupergroup && m.Text?.StartsWith("Welcome to the supergroup") == true));
        await World.SettledAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(await World.Db.QueryAsync<long>("SELECT chat_id FROM chat_bindings WHERE project_id = @projectId", new { projectId }),
                Is.EqualTo(new[] { NewSupergroup }));
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM conversations WHERE project_id = @projectId", new { projectId }), Is.EqualTo(1),
                "one conversation, which moved with the chat");
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM inbox WHERE state <> 'handled'"), Is.Zero, "nothing dead-lettered");
            Assert.That(World.Telegram.SentTo(OldGroup).Where(m => m.Text?.StartsWith("Welcome to the supergroup") == true), Is.Empty);
        });
    }

    [Test]
    public async Task GroupUpgradeNobodyToldUsOf_TheAnswerFollowsTelegramsNewChatId()
    {
        var (projectId, code) = await World.ProjectAsync();
        World.Telegram.DefineGroup(OldGroup, "Acme team", type: "group");
        World.Telegram.ClientSends(OldGroup, $"/link {code}", userId: 82, firstName: "Paul");
        World.Telegram.ClientSends(OldGroup, "any news?", userId: 82, firstName: "Paul");
        var relay = (await World.WaitForAsync(s => s.Any(m => m.Text?.Contains("any news?") == true))).Last(m => m.Text?.Contains("any news?") == true);
        await World.SettledAsync();

        World.Telegram.UpgradeGroup(OldGroup, NewSupergroup, "Acme team");
        World.Telegram.ClientSends(AgencyWorld.StaffChat, "Yes: Friday.", userId: AgencyWorld.Assistant, firstName: "Marie", threadId: relay.ThreadId);

        await World.WaitForAsync(s => s.Any(m => m.ChatId == NewSupergroup && m.Text?.StartsWith("Yes: Friday.") == true));
        Assert.That(await World.Db.ScalarAsync<long>("SELECT chat_id FROM chat_bindings WHERE project_id = @projectId", new { projectId }),
            Is.EqualTo(NewSupergroup));
    }

    [Test]
    public async Task ConfiguredStaffChatUpgraded_RelaysAndAnswersFollowItToItsNewId()
    {
        await using var world = await AgencyWorld.StartAsync(forum: false, settings: new Dictionary<string, string?> { ["Agency:StaffChatId"] = "-4005" });
        world.Telegram.DefineGroup(-4005, "Agency staff", type: "group");
        var (_, code) = await world.ProjectAsync();
        await world.LinkPrivateChatAsync(601, code);
        await world.SettledAsync();

        world.Telegram.UpgradeGroup(-4005, -1004005, "Agency staff");
        var (inOld, inNew) = world.Telegram.MigrationMessages(-4005, -1004005, AgencyWorld.Assistant, "Marie");
        world.Telegram.EnqueueUpdate(inOld);
        world.Telegram.EnqueueUpdate(inNew);
        world.Telegram.ClientSends(601, "is the staff chat still there?");
        var relay = (await world.WaitForAsync(s => s.Any(m => m.Text?.Contains("is the staff chat still there?") == true)))
            .Single(m => m.Text?.Contains("is the staff chat still there?") == true);
        world.Telegram.ClientSends(-1004005, "Yes, upgraded.", userId: AgencyWorld.Assistant, firstName: "Marie", replyToMessageId: relay.MessageId);

        var answer = await world.WaitForAsync(s => s.Any(m => m.ChatId == 601 && m.Text?.StartsWith("Yes, upgraded.") == true));
        Assert.That(relay.ChatId, Is.EqualTo(-1004005));
    }

    [Test]
    public async Task CommandForAnotherBot_InASharedGroup_IsNotAnswered()
    {
        var (_, code) = await World.ProjectAsync();
        World.Telegram.DefineGroup(-557, "Acme team");
        World.Telegram.ClientSends(-557, $"/link {code}", userId: 85);
        await World.WaitForAsync(s => s.Any(m => m.ChatId == -557));
        await Eventually.HoldsAsync(() => Task.FromResult(World.Telegram.Requests.Count(r => r.Method == "getMe")), n => n > 0, AgencyWorld.Timeout, "getMe");
        await World.SettledAsync();

        World.Telegram.ClientSends(-557, "/help@some_other_bot", userId: 85);
        World.Telegram.ClientSends(-557, $"/help@{FakeBotApi.BotUsername}", userId: 85);
        await World.WaitForAsync(s => s.Count(m => m.ChatId == -557) >= 2);
        await World.SettledAsync();

        Assert.That(World.Telegram.SentTo(-557), Has.Count.EqualTo(2), "the welcome and one help");
    }
}

internal static class JsonObjectExtensions
{
    public static JsonObject Also(this JsonObject json, Action<JsonObject> change)
    {
        change(json);
        return json;
    }
}

public sealed class TopicAndInviteLifecycleTests : AgencyTest
{
    [Test]
    public async Task ClosedTopic_IsReopened_AndTheClientsMessageArrives()
    {
        var (_, code) = await World.ProjectAsync();
        await World.LinkPrivateChatAsync(601, code);
        var topic = await World.TopicAsync();
        await World.SettledAsync();
        World.Telegram.CloseTopic(AgencyWorld.StaffChat, topic);

        World.Telegram.ClientSends(601, "the project is over, but one question");

        var relay = (await World.WaitForAsync(s => s.Any(m => m.Text?.Contains("one question") == true))).Single(m => m.Text?.Contains("one question") == true);
        Assert.That(relay.ThreadId, Is.EqualTo(topic));
        Assert.That(World.Telegram.Requests.Count(r => r.Method == "reopenForumTopic"), Is.EqualTo(1));
    }

    [Test]
    public async Task RemovingAChat_ClosesTheProjectsOpenInvites()
    {
        var (projectId, code) = await World.ProjectAsync();
        await World.LinkPrivateChatAsync(601, code);

        await World.Api.DeleteAsync($"/api/projects/{projectId}/chats/601");
        World.Telegram.ClientSends(601, $"/start {code}");

        var reply = (await World.WaitForAsync(s => s.Count(m => m.ChatId == 601) == 2)).Last(m => m.ChatId == 601);
        Assert.That(reply.Text, Is.EqualTo(AgencyBot.Core.Clients.ClientTexts.Get("InvalidCode", "en")));
        Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM chat_bindings WHERE chat_id = 601"), Is.Zero);
    }
}
