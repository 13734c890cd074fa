using AgencyBot.Core.Data;
using AgencyBot.Core.Staff;
using AgencyBot.Core.Updates;
using AgencyBot.Tests.Hosting;
using Microsoft.Extensions.Time.Testing;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;

namespace AgencyBot.Tests.ScaleOut;

/// <summary>
/// On PostgreSQL a client's command that only reads and answers (/help, /project, /status, /files), or one the bot does
/// not know (filed as a message), and a press of a client's button (approval, rating, file, project choice) lock only
/// the client's chat and its projects: each is answered while another host works on another client, and waits while one
/// works on this client's chat. The bot blocked or let back in by a client locks that chat; an inline query and a
/// reaction in a client chat, which only read, lock nothing: a stranger sending them by the hundred holds up no host.
/// /start and /link lock the chat and its projects, and with an invite code the invite's project too: a client linking
/// their chat waits only for work on that project. /setup and a staff invite still run alone, and so do a staff
/// member's command in private or in the staff chat and staff's buttons.
/// </summary>
public sealed class ClientChatScopeTests : AgencyTest
{
    private const long Anna = 611;
    private long _project;

    // A frozen clock: no scheduled job runs meanwhile, so nothing else takes the whole database while a lock is held.
    protected override Task<AgencyWorld> StartAgencyAsync()
    {
        TempDatabase.RequirePostgres();
        return AgencyWorld.StartAsync(settings: new Dictionary<string, string?> { ["Agency:BusinessHours"] = "" },
            clock: new FakeTimeProvider(DateTimeOffset.UtcNow));
    }

    [SetUp]
    public async Task AProjectWithAnnaAsync()
    {
        _project = await World.ProjectWithClientAsync(Anna);
        await World.SettledAsync();
        await World.JobsIdleAsync(); // the jobs' start-up runs hold the whole database
    }

    private int AnswersToAnna() => World.Telegram.SentTo(Anna).Count;

    [Test]
    public async Task Status_IsAnsweredWhileAnotherClientIsWorkedOn_AndWaitsWhileThisChatIs()
    {
        var before = AnswersToAnna();
        var other = await AnotherHost.HoldsAsync(World.Db.ConnectionString, WriteScope.Of([Anna + 1], [_project + 1000]));
        try
        {
            World.Telegram.ClientSends(Anna, "/status", firstName: "Anna");
            await World.WaitForAsync(_ => AnswersToAnna() > before);
        }
        finally
        {
            await other.ReleaseAsync();
        }

        before = AnswersToAnna();
        var own = await AnotherHost.HoldsAsync(World.Db.ConnectionString, WriteScope.Of([Anna], []));
        World.Telegram.ClientSends(Anna, "/help", firstName: "Anna");
        await Task.Delay(TimeSpan.FromSeconds(1));
        var answeredWhileHeld = AnswersToAnna() > before;
        await own.ReleaseAsync();
        await World.WaitForAsync(_ => AnswersToAnna() > before);

        Assert.That(answeredWhileHeld, Is.False, "the /help waited for the transaction on Anna's chat");
    }

    [Test]
    public async Task AProjectChoice_IsTakenWhileAnotherClientIsWorkedOn_AndWaitsWhileThisChatIs()
    {
        var (second, code) = await World.ProjectAsync();
        await World.LinkPrivateChatAsync(Anna, code);
        World.Telegram.ClientSends(Anna, "/project", firstName: "Anna");
        var offer = (await World.WaitForAsync(s => s.Any(m => m.ChatId == Anna && m.Request.Body["reply_markup"] is not null)))
            .Last(m => m.ChatId == Anna && m.Request.Body["reply_markup"] is not null);
        await World.SettledAsync();

        var before = AnswersToAnna();
        var other = await AnotherHost.HoldsAsync(World.Db.ConnectionString, WriteScope.Of([Anna + 1], [_project + second + 1000]));
        try
        {
            World.Telegram.Presses(Anna, offer.MessageId, $"{ClientMessages.ProjectCallbackPrefix}{second}", firstName: "Anna");
            await World.WaitForAsync(_ => AnswersToAnna() > before);
        }
        finally
        {
            await other.ReleaseAsync();
        }

        before = AnswersToAnna();
        var own = await AnotherHost.HoldsAsync(World.Db.ConnectionString, WriteScope.Of([], [_project]));
        World.Telegram.Presses(Anna, offer.MessageId, $"{ClientMessages.ProjectCallbackPrefix}{_project}", firstName: "Anna");
        await Task.Delay(TimeSpan.FromSeconds(1));
        var answeredWhileHeld = AnswersToAnna() > before;
        await own.ReleaseAsync();
        await World.WaitForAsync(_ => AnswersToAnna() > before);

        Assert.That(answeredWhileHeld, Is.False, "the press waited for the transaction on one of Anna's projects");
    }

    private static Update Press(long chat, string data, ChatType type = ChatType.Private, long? user = null, bool withMessage = true) => new()
    {
        Id = 1,
        CallbackQuery = new CallbackQuery
        {
            Id = "q1", Data = data, ChatInstance = "ci", From = new User { Id = user ?? chat, FirstName = "Anna" },
            Message = withMessage
                ? new Message { Id = 7001, Date = DateTime.UtcNow, Text = "…", Chat = type == ChatType.Private ? new Chat { Id = chat, Type = type, FirstName = "Anna" } : new Chat { Id = chat, Type = type, Title = "Staff", IsForum = true } }
                : null,
            InlineMessageId = withMessage ? null : "inline-1",
        },
    };

    [Test]
    public async Task AClientsButton_LocksTheChatAndItsProjects_StaffsButtonsRunAlone()
    {
        var annas = WriteScope.Of([Anna], [_project]).Keys;
        var clients = new List<WriteScope>();
        foreach (var data in new[] { $"{ApprovalDesk.Prefix}1:ok", $"{AgencyBot.Core.Satisfaction.Ratings.Prefix}1:good", $"{FileDesk.Prefix}1", $"{ClientMessages.ProjectCallbackPrefix}{_project}" })
            clients.Add(await ScopeOfAsync(Press(Anna, data)));
        var alone = new List<WriteScope>
        {
            await ScopeOfAsync(Press(Anna, $"{StaffRoster.Prefix}1")),
            await ScopeOfAsync(Press(AgencyWorld.StaffChat, $"{ApprovalDesk.Prefix}1:ok", ChatType.Supergroup, user: AgencyWorld.Assistant)),
            await ScopeOfAsync(Press(AgencyWorld.Assistant, $"{FileDesk.Prefix}1")),
            await ScopeOfAsync(Press(Anna, $"{FileDesk.Prefix}1", withMessage: false)),
        };

        Assert.Multiple(() =>
        {
            Assert.That(clients.Select(s => s.Keys), Is.All.EqualTo(annas), "an approval, a rating, a file, a project choice: Anna's chat and project");
            Assert.That(alone.Select(s => s.IsEverything), Is.All.True,
                "a staff button in Anna's chat, a client's button in the staff chat, in a staff member's private chat, under an inline message");
        });
    }

    private static Update From(long chat, string text, ChatType type = ChatType.Private, long? user = null) => new()
    {
        Id = 1,
        Message = new Message
        {
            Id = 7000, Date = DateTime.UtcNow, Text = text,
            Chat = type == ChatType.Private ? new Chat { Id = chat, Type = type, FirstName = "Anna" } : new Chat { Id = chat, Type = type, Title = "Anna & agency" },
            From = new User { Id = user ?? chat, FirstName = "Anna" },
            Entities = text.StartsWith('/') ? [new MessageEntity { Type = MessageEntityType.BotCommand, Offset = 0, Length = text.Split(' ')[0].Length }] : null,
        },
    };

    private Task<WriteScope> ScopeOfAsync(Update update) =>
        World.Db.Database.WriteAsync((c, t) => World.Host.Get<UpdateScopes>().OfAsync([update], c, t));

    [Test]
    public async Task ACommandThatOnlyAnswers_LocksTheChatAndItsProjects_OneThatLinksTheInvitesProjectToo_SetupAndStaffCommandsRunAlone()
    {
        var annas = WriteScope.Of([Anna], [_project]).Keys;
        var answering = new List<WriteScope>();
        foreach (var text in new[] { "/help", "/project", "/status", "/files", "/urgent please call me", "/task Call Anna", "/start", "/start ABCDEF", "/link" })
            answering.Add(await ScopeOfAsync(From(Anna, text)));
        var stranger = await ScopeOfAsync(From(Anna + 50, "/status"));
        var (second, code) = await World.ProjectAsync("Globex", "Shop");
        var linking = new[] { await ScopeOfAsync(From(Anna, $"/start {code}")), await ScopeOfAsync(From(-100612, $"/link {code}", ChatType.Supergroup)) };
        var alone = new List<WriteScope>();
        foreach (var text in new[] { "/setup", $"/start {StaffInviteStore.StaffPrefix}ABCDEF", $"/start {StaffInviteStore.OwnerPrefix}ABCDEF" })
            alone.Add(await ScopeOfAsync(From(Anna, text)));
        alone.Add(await ScopeOfAsync(From(-100611, "/setup", ChatType.Supergroup, user: AgencyWorld.Assistant)));
        alone.Add(await ScopeOfAsync(From(AgencyWorld.Assistant, "/status")));
        alone.Add(await ScopeOfAsync(From(AgencyWorld.StaffChat, "/help", ChatType.Supergroup, user: AgencyWorld.Assistant)));

        Assert.Multiple(() =>
        {
            Assert.That(answering.Select(s => s.Keys), Is.All.EqualTo(annas),
                "/help, /project, /status, /files, a command the bot does not know, a staff command typed by a client, /start and /link without a " +
                "code or with one of no invite: Anna's chat and project");
            Assert.That(stranger.Keys, Is.EqualTo(WriteScope.Of([Anna + 50], []).Keys), "a chat bound to nothing: the chat alone");
            Assert.That(linking[0].Keys, Is.EqualTo(WriteScope.Of([Anna], [_project, second]).Keys), "Anna's /start with an invite: her chat and project, and the invite's");
            Assert.That(linking[1].Keys, Is.EqualTo(WriteScope.Of([-100612], [second]).Keys), "a group's /link: the group and the invite's project");
            Assert.That(alone.Select(s => s.IsEverything), Is.All.True,
                "/setup from a client, a staff or owner invite, /setup from staff in a group, a staff member's command in private and in the staff chat");
        });
    }

    [Test]
    public async Task AClientLinkingTheirChat_GoesWhileAnotherProjectIsWorkedOn_AndWaitsWhileTheInvitesProjectIs()
    {
        const long bob = 613;
        var (second, code) = await World.ProjectAsync("Globex", "Shop");
        var other = await AnotherHost.HoldsAsync(World.Db.ConnectionString, WriteScope.Of([Anna], [_project]));
        try
        {
            World.Telegram.ClientSends(bob, $"/start {code}", firstName: "Bob");
            await World.WaitForAsync(s => s.Any(m => m.ChatId == bob && m.Text?.Contains("Shop") == true));
        }
        finally
        {
            await other.ReleaseAsync();
        }

        const long carla = 614;
        var third = await World.InviteAsync(second);
        var own = await AnotherHost.HoldsAsync(World.Db.ConnectionString, WriteScope.Of([], [second]));
        World.Telegram.ClientSends(carla, $"/start {third}", firstName: "Carla");
        await Task.Delay(TimeSpan.FromSeconds(1));
        var linkedWhileHeld = World.Telegram.SentTo(carla).Count;
        await own.ReleaseAsync();
        await World.WaitForAsync(s => s.Any(m => m.ChatId == carla && m.Text?.Contains("Shop") == true));
        var bound = await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM chat_bindings WHERE project_id = @Second AND status = 'active'", new { Second = second });

        Assert.Multiple(() =>
        {
            Assert.That(linkedWhileHeld, Is.Zero, "Carla's link waited for the transaction on the invite's project");
            Assert.That(bound, Is.EqualTo(2), "Bob's and Carla's chats linked to the shop");
        });
    }

    private static readonly User Bot = new() { Id = 7_000_001, IsBot = true, FirstName = "Agency Bot" };

    private static Update BotStatus(long chat, ChatMember status, ChatType type = ChatType.Private) => new()
    {
        Id = 1,
        MyChatMember = new ChatMemberUpdated
        {
            Chat = type == ChatType.Private ? new Chat { Id = chat, Type = type, FirstName = "Anna" } : new Chat { Id = chat, Type = type, Title = "Staff", IsForum = true },
            From = new User { Id = chat, FirstName = "Anna" }, Date = DateTime.UtcNow,
            OldChatMember = new ChatMemberMember { User = Bot }, NewChatMember = status,
        },
    };

    [Test]
    public async Task AnInlineQueryOrAReactionInAClientChat_LockNothing_TheBotBlockedThereLocksTheChat_InTheStaffChatOrByStaffItRunsAlone()
    {
        var inline = await ScopeOfAsync(new Update
        {
            Id = 1, InlineQuery = new InlineQuery { Id = "iq1", From = new User { Id = Anna, FirstName = "Anna" }, Query = "price", Offset = "" },
        });
        var reaction = await ScopeOfAsync(new Update
        {
            Id = 1,
            MessageReaction = new MessageReactionUpdated
            {
                Chat = new Chat { Id = Anna, Type = ChatType.Private, FirstName = "Anna" }, MessageId = 1, User = new User { Id = Anna, FirstName = "Anna" },
                Date = DateTime.UtcNow, OldReaction = [], NewReaction = [new ReactionTypeEmoji { Emoji = "👍" }],
            },
        });
        var blocked = await ScopeOfAsync(BotStatus(Anna, new ChatMemberBanned { User = Bot }));
        var inTheStaffChat = await ScopeOfAsync(BotStatus(AgencyWorld.StaffChat, new ChatMemberLeft { User = Bot }, ChatType.Supergroup));
        var byStaff = await ScopeOfAsync(BotStatus(AgencyWorld.Assistant, new ChatMemberBanned { User = Bot }));

        Assert.Multiple(() =>
        {
            Assert.That(new[] { inline, reaction }.Select(s => (s.IsEverything, s.Keys.Count)), Is.All.EqualTo((false, 0)), "an inline query, a reaction: nothing");
            Assert.That(blocked.Keys, Is.EqualTo(WriteScope.Of([Anna], [_project]).Keys), "Anna blocking the bot: her chat and project");
            Assert.That(new[] { inTheStaffChat, byStaff }.Select(s => s.IsEverything), Is.All.True, "the bot removed from the staff chat, blocked by staff");
        });
    }

    private Task<string> InboxStateAsync(int updateId) =>
        World.Db.ScalarAsync<string>("SELECT COALESCE((SELECT state FROM inbox WHERE update_id = @Id), 'not taken yet')", new { Id = updateId });

    [Test]
    public async Task AnInlineQueryAndAReaction_AreHandledWhileThisChatIsWorkedOn_TheBotBlockedWaitsForIt()
    {
        var own = await AnotherHost.HoldsAsync(World.Db.ConnectionString, WriteScope.Of([Anna], [_project]));
        bool blockedWhileHeld;
        try
        {
            var inline = World.Telegram.InlineQueries(Anna, "price", firstName: "Anna");
            var reaction = World.Telegram.Reacts(Anna, 1, Anna, "👍", firstName: "Anna");
            foreach (var update in new[] { inline, reaction })
                await Eventually.HoldsAsync(() => InboxStateAsync(update), state => state == "handled",
                    AgencyWorld.Timeout, $"update {update} handled while Anna's chat is worked on");
            World.Telegram.EnqueueUpdate(World.Telegram.BotMembership(Anna, "kicked", Anna));
            await Task.Delay(TimeSpan.FromSeconds(1));
            blockedWhileHeld = await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM blocked_chats WHERE chat_id = @Anna", new { Anna }) > 0;
        }
        finally
        {
            await own.ReleaseAsync();
        }
        await Eventually.HoldsAsync(() => World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM blocked_chats WHERE chat_id = @Anna", new { Anna }), n => n == 1,
            AgencyWorld.Timeout, "Anna's block recorded");

        Assert.Multiple(() =>
        {
            Assert.That(World.Telegram.Requests.Count(r => r.Method == "answerInlineQuery"), Is.EqualTo(1), "the inline query answered");
            Assert.That(blockedWhileHeld, Is.False, "the block waited for the transaction on Anna's chat");
        });
    }
}
