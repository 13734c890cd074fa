using AgencyBot.Core.Data;
using AgencyBot.Core.Updates;
using AgencyBot.Tests.Fakes;
using AgencyBot.Tests.Hosting;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;

namespace AgencyBot.Tests.ScaleOut;

/// <summary>
/// On PostgreSQL a staff member's answer locks only its project and that project's client chats: it goes through while
/// another host works on another project, and waits while one works on its own. Whatever may do more than answer (a
/// command, an edit, an open dialog, a message about no project) still runs alone; a task, time or budget command in
/// the topic locks what an answer locks. A staff member's reaction on a
/// relayed client message locks the same: the projects of the messages it is on; so does a press of the buttons under
/// a relayed message or of "who is this for?", for the project of the message or answer it names.
/// </summary>
public sealed class StaffAnswerScopeTests : OneProjectOnPostgresTest
{
    private bool AnnaHas(string text) => World.Telegram.SentTo(Anna).Any(m => m.Text?.StartsWith(text, StringComparison.Ordinal) == true);

    [Test]
    public async Task AnAnswer_GoesThroughWhileAnotherProjectIsWorkedOn_AndWaitsWhileItsOwnIs()
    {
        var other = await AnotherHost.HoldsAsync(World.Db.ConnectionString, WriteScope.Of([Anna + 1], [Project + 1]));
        try
        {
            MarieAnswers("While the other project is busy");
            await World.WaitForAsync(_ => AnnaHas("While the other project is busy"));
        }
        finally
        {
            await other.ReleaseAsync();
        }

        var own = await AnotherHost.HoldsAsync(World.Db.ConnectionString, WriteScope.Of([], [Project]));
        MarieAnswers("While this project is busy");
        await Task.Delay(TimeSpan.FromSeconds(1));
        var sentWhileHeld = AnnaHas("While this project is busy");
        await own.ReleaseAsync();
        await World.WaitForAsync(_ => AnnaHas("While this project is busy"));

        Assert.That(sentWhileHeld, Is.False, "the answer waited for the transaction on its own project");
    }

    [Test]
    public async Task AnAnswerByCommand_AllOrLater_GoesThroughWhileAnotherProjectIsWorkedOn()
    {
        var other = await AnotherHost.HoldsAsync(World.Db.ConnectionString, WriteScope.Of([Anna + 1], [Project + 1]));
        try
        {
            MarieAnswers("/all We are closed on Friday");
            MarieAnswers("/later +2h The report, as promised");
            await World.WaitForAsync(s => AnnaHas("We are closed on Friday") && s.Any(m => m.ThreadId == Topic && m.Text?.StartsWith("🕘 Scheduled") == true));
        }
        finally
        {
            await other.ReleaseAsync();
        }
        Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE chat_id = @Anna AND payload LIKE '%as promised%' AND state = 'pending'",
            new { Anna }), Is.EqualTo(1), "the /later answer queued for its time");
    }

    /// <summary>Marie answers in the topic; once Anna has the answer and all is settled, its message id.</summary>
    private async Task<int> MarieAnsweredAsync(string text)
    {
        var answer = World.Telegram.ClientSendsReturningId(AgencyWorld.StaffChat, text, userId: AgencyWorld.Assistant, firstName: "Marie", threadId: Topic);
        await World.WaitForAsync(_ => AnnaHas(text));
        await World.SettledAsync();
        return answer;
    }

    [Test]
    public async Task AnEditOfAnAnswer_GoesThroughWhileAnotherProjectIsWorkedOn_AndLocksItsProjectAndItsChats()
    {
        var answer = await MarieAnsweredAsync("See you on Monday");
        var edit = new Message { Id = answer, Text = "See you on Tuesday", MessageThreadId = Topic, IsTopicMessage = true, EditDate = DateTime.UtcNow };
        var scope = await ScopeOfAsync(InStaffChat(edit, edited: true));

        var other = await AnotherHost.HoldsAsync(World.Db.ConnectionString, WriteScope.Of([Anna + 1], [Project + 1]));
        try
        {
            World.Telegram.ClientEdits(AgencyWorld.StaffChat, answer, "See you on Tuesday", userId: AgencyWorld.Assistant, firstName: "Marie");
            await Eventually.HoldsAsync(() => Task.FromResult(World.Telegram.Requests.Any(r => r.Method == "editMessageText" && r.ChatId == Anna
                && r.Text?.StartsWith("See you on Tuesday", StringComparison.Ordinal) == true)), edited => edited, AgencyWorld.Timeout, "Anna's copy edited");
        }
        finally
        {
            await other.ReleaseAsync();
        }

        Assert.That(scope.Keys, Is.EqualTo(WriteScope.Of([Anna], [Project]).Keys), "the answer's project and Anna's chat");
    }

    [Test]
    public async Task AnUnsend_TakesTheAnswerBackWhileAnotherProjectIsWorkedOn_AndLocksItsProjectAndItsChats()
    {
        var answer = await MarieAnsweredAsync("The price is 100");
        var unsend = new Message { Id = 5100, Text = "/unsend", MessageThreadId = Topic, IsTopicMessage = true, ReplyToMessage = new Message { Id = answer } };
        var scope = await ScopeOfAsync(InStaffChat(unsend));
        var onNoAnswer = await ScopeOfAsync(InStaffChat(new Message { Id = 5101, Text = "/unsend", MessageThreadId = Topic, IsTopicMessage = true }));

        var other = await AnotherHost.HoldsAsync(World.Db.ConnectionString, WriteScope.Of([Anna + 1], [Project + 1]));
        try
        {
            World.Telegram.ClientSends(AgencyWorld.StaffChat, "/unsend", userId: AgencyWorld.Assistant, firstName: "Marie", threadId: Topic, replyToMessageId: answer);
            await World.WaitForAsync(s => s.Any(m => m.Text?.StartsWith("🗑 Taken back from", StringComparison.Ordinal) == true));
        }
        finally
        {
            await other.ReleaseAsync();
        }

        Assert.Multiple(() =>
        {
            Assert.That(scope.Keys, Is.EqualTo(WriteScope.Of([Anna], [Project]).Keys), "the answer's project and Anna's chat");
            Assert.That(onNoAnswer.IsEverything, Is.True, "an /unsend replying to no answer");
        });
    }

    private async Task<SentMessage> AnnaAsksAsync(string text)
    {
        World.Telegram.ClientSends(Anna, text, firstName: "Anna");
        var relay = (await World.WaitForAsync(s => s.Any(m => m.ChatId == AgencyWorld.StaffChat && m.Text?.Contains(text, StringComparison.Ordinal) == true)))
            .Last(m => m.ChatId == AgencyWorld.StaffChat && m.Text?.Contains(text, StringComparison.Ordinal) == true);
        await World.SettledAsync();
        return relay;
    }

    private bool StaffChatHas(string text) => World.Telegram.SentTo(AgencyWorld.StaffChat).Any(m => m.Text == text);

    [Test]
    public async Task AReaction_GoesThroughWhileAnotherProjectIsWorkedOn_AndWaitsWhileItsOwnIs()
    {
        var first = (await AnnaAsksAsync("Is the site up?")).MessageId;
        var other = await AnotherHost.HoldsAsync(World.Db.ConnectionString, WriteScope.Of([Anna + 1000], [Project + 1000]));
        try
        {
            World.Telegram.Reacts(AgencyWorld.StaffChat, first, AgencyWorld.Assistant, "👍", firstName: "Marie");
            await World.WaitForAsync(_ => StaffChatHas("👍 Marie is on it."));
        }
        finally
        {
            await other.ReleaseAsync();
        }

        var own = await AnotherHost.HoldsAsync(World.Db.ConnectionString, WriteScope.Of([], [Project]));
        World.Telegram.Reacts(AgencyWorld.StaffChat, first, AgencyWorld.Assistant, "👌", firstName: "Marie", before: "👍");
        await Task.Delay(TimeSpan.FromSeconds(1));
        var closedWhileHeld = World.Telegram.SentTo(AgencyWorld.StaffChat).Any(m => m.Text?.StartsWith("✔️ Marie", StringComparison.Ordinal) == true);
        await own.ReleaseAsync();
        await World.WaitForAsync(s => s.Any(m => m.Text?.StartsWith("✔️ Marie", StringComparison.Ordinal) == true));

        Assert.That(closedWhileHeld, Is.False, "the 👌 waited for the transaction on its own project");
    }

    [Test]
    public async Task AReactionOnARelayedQuestion_LocksItsProjectAndItsChats_OneInAClientChatNothing_OthersRunAlone()
    {
        var relay = (await AnnaAsksAsync("A question to react to")).MessageId;
        Update Reaction(int message, long user) => new()
        {
            Id = 1,
            MessageReaction = new MessageReactionUpdated
            {
                Chat = new Chat { Id = AgencyWorld.StaffChat, Type = ChatType.Supergroup, Title = "Staff", IsForum = true },
                MessageId = message, User = new User { Id = user, FirstName = "Marie" }, Date = DateTime.UtcNow,
                OldReaction = [], NewReaction = [new ReactionTypeEmoji { Emoji = "👍" }],
            },
        };
        var onTheRelay = await ScopeOfAsync(Reaction(relay, AgencyWorld.Assistant));
        var byAStranger = await ScopeOfAsync(Reaction(relay, 4242));
        var onNoRelay = await ScopeOfAsync(Reaction(relay + 500, AgencyWorld.Assistant));
        var inAClientChat = await ScopeOfAsync(new Update
        {
            Id = 1,
            MessageReaction = new MessageReactionUpdated
            {
                Chat = new Chat { Id = Anna, Type = ChatType.Private, FirstName = "Anna" }, MessageId = 1, User = new User { Id = Anna, FirstName = "Anna" },
                Date = DateTime.UtcNow, OldReaction = [], NewReaction = [new ReactionTypeEmoji { Emoji = "👍" }],
            },
        });

        Assert.Multiple(() =>
        {
            Assert.That(onTheRelay.Keys, Is.EqualTo(WriteScope.Of([Anna], [Project]).Keys), "its project and Anna's chat");
            Assert.That(new[] { byAStranger, onNoRelay }.Select(s => s.IsEverything), Is.All.True, "a reaction by no staff member, on no relayed message");
            Assert.That((inAClientChat.IsEverything, inAClientChat.Keys), Is.EqualTo((false, Array.Empty<long>())),
                "a reaction in a client chat, which the router leaves alone: nothing locked");
        });
    }

    /// <summary>A press of a button under a message the bot sent, with whatever data (callback data can be forged), by
    /// <paramref name="user"/>, in the staff chat or in Anna's.</summary>
    private static Update PressUnder(SentMessage message, string data, long user, long chat = AgencyWorld.StaffChat) => new()
    {
        Id = 1,
        CallbackQuery = new CallbackQuery
        {
            Id = "press", Data = data, ChatInstance = "1", From = new User { Id = user, FirstName = "Marie" },
            Message = new Message
            {
                Id = message.MessageId, Date = DateTime.UtcNow,
                Chat = chat == AgencyWorld.StaffChat
                    ? new Chat { Id = chat, Type = ChatType.Supergroup, Title = "Staff", IsForum = true }
                    : new Chat { Id = chat, Type = ChatType.Private, FirstName = "Anna" },
            },
        },
    };

    private int MariePresses(SentMessage relay, string label) =>
        World.Telegram.Presses(AgencyWorld.StaffChat, relay.MessageId, relay.Button(label), userId: AgencyWorld.Assistant, firstName: "Marie");

    [Test]
    public async Task ARelayButton_GoesThroughWhileAnotherProjectIsWorkedOn_AndWaitsWhileItsOwnIs()
    {
        var relay = await AnnaAsksAsync("Could you call me?");
        var other = await AnotherHost.HoldsAsync(World.Db.ConnectionString, WriteScope.Of([Anna + 1000], [Project + 1000]));
        try
        {
            MariePresses(relay, "Take it");
            await World.WaitForAsync(_ => StaffChatHas("🙋 Marie is on it."));
        }
        finally
        {
            await other.ReleaseAsync();
        }

        var own = await AnotherHost.HoldsAsync(World.Db.ConnectionString, WriteScope.Of([], [Project]));
        MariePresses(relay, "Close");
        await Task.Delay(TimeSpan.FromSeconds(1));
        var closedWhileHeld = StaffChatHas("✔️ Closed by Marie: no answer needed.");
        await own.ReleaseAsync();
        await World.WaitForAsync(_ => StaffChatHas("✔️ Closed by Marie: no answer needed."));

        Assert.That(closedWhileHeld, Is.False, "the Close waited for the transaction on its own project");
    }

    [Test]
    public async Task ARelayButton_LocksTheProjectOfTheMessageItNames_OthersRunAlone()
    {
        var relay = await AnnaAsksAsync("A question with buttons");
        var take = relay.Button("Take it");
        Update Press(string data, long user, long chat = AgencyWorld.StaffChat) => PressUnder(relay, data, user, chat);
        var byStaff = await ScopeOfAsync(Press(take, AgencyWorld.Assistant));
        var byAStranger = await ScopeOfAsync(Press(take, 4242));
        var onNoMessage = await ScopeOfAsync(Press("b:take:999999", AgencyWorld.Assistant));
        var malformed = await ScopeOfAsync(Press("b:take", AgencyWorld.Assistant));
        var inAClientChat = await ScopeOfAsync(Press(take, Anna, chat: Anna));

        Assert.Multiple(() =>
        {
            Assert.That(byStaff.Keys, Is.EqualTo(WriteScope.Of([Anna], [Project]).Keys), "its project and Anna's chat");
            Assert.That(new[] { byAStranger, onNoMessage, malformed, inAClientChat }.Select(s => s.IsEverything), Is.All.True,
                "a press by no staff member, naming no message, without a message, in a client chat");
        });
    }

    private const long Paul = 9002;

    /// <summary>A staff member answers in the topic of a project with two chats (Anna's, and Acme's team group once
    /// <see cref="World.LinkGroupAsync"/> has linked it): the bot asks whom the answer is for.</summary>
    private async Task<SentMessage> WhoIsItForAsync(string answer, long author = AgencyWorld.Assistant, string name = "Marie")
    {
        static bool IsQuestion(SentMessage m) => m.Text?.StartsWith("Who is this answer for?", StringComparison.Ordinal) == true;
        var asked = World.Telegram.SentTo(AgencyWorld.StaffChat).Count(IsQuestion);
        World.Telegram.ClientSends(AgencyWorld.StaffChat, answer, userId: author, firstName: name, threadId: Topic);
        var question = (await World.WaitForAsync(s => s.Count(IsQuestion) > asked)).Last(IsQuestion);
        await World.SettledAsync();
        return question;
    }

    [Test]
    public async Task ARecipientChoice_GoesThroughWhileAnotherProjectIsWorkedOn_AndWaitsWhileItsOwnIs()
    {
        await World.LinkGroupAsync(-4001, Project);
        await World.StaffAsync(Paul, "Paul", "assistant");
        var maries = await WhoIsItForAsync("The mock-ups are ready.");
        var other = await AnotherHost.HoldsAsync(World.Db.ConnectionString, WriteScope.Of([Anna + 1000], [Project + 1000]));
        try
        {
            MariePresses(maries, "Anna");
            await World.WaitForAsync(_ => AnnaHas("The mock-ups are ready."));
        }
        finally
        {
            await other.ReleaseAsync();
        }

        var pauls = await WhoIsItForAsync("The invoice follows.", Paul, "Paul");
        var own = await AnotherHost.HoldsAsync(World.Db.ConnectionString, WriteScope.Of([], [Project]));
        World.Telegram.Presses(AgencyWorld.StaffChat, pauls.MessageId, pauls.Button("Anna"), userId: Paul, firstName: "Paul");
        await Task.Delay(TimeSpan.FromSeconds(1));
        var sentWhileHeld = AnnaHas("The invoice follows.");
        await own.ReleaseAsync();
        await World.WaitForAsync(_ => AnnaHas("The invoice follows."));

        Assert.That(sentWhileHeld, Is.False, "Paul's choice waited for the transaction on its own project");
    }

    [Test]
    public async Task ARecipientChoice_LocksTheProjectOfTheAnswerItNames_AndItsChats_OthersRunAlone()
    {
        await World.LinkGroupAsync(-4001, Project);
        var question = await WhoIsItForAsync("Here is the invoice.");
        var anna = question.Button("Anna");
        Update Press(string data, long user) => PressUnder(question, data, user);
        var byStaff = await ScopeOfAsync(Press(anna, AgencyWorld.Assistant));
        var byAStranger = await ScopeOfAsync(Press(anna, 4242));
        var onNoAnswer = await ScopeOfAsync(Press($"to:999999:{Anna}", AgencyWorld.Assistant));
        var malformed = await ScopeOfAsync(Press("to:1", AgencyWorld.Assistant));
        MariePresses(question, "Anna");
        await World.WaitForAsync(_ => AnnaHas("Here is the invoice."));
        await World.SettledAsync();
        var decided = await ScopeOfAsync(Press(anna, AgencyWorld.Assistant));

        Assert.Multiple(() =>
        {
            Assert.That(byStaff.Keys, Is.EqualTo(WriteScope.Of([Anna, -4001], [Project]).Keys), "its project and the project's two chats");
            Assert.That(new[] { byAStranger, onNoAnswer, malformed, decided }.Select(s => s.IsEverything), Is.All.True,
                "a press by no staff member, naming no held answer, without one, once the answer has gone");
        });
    }

    [Test]
    public async Task AnOutOfHoursChoice_LocksTheProjectItsAnswerWentTo_OthersRunAlone()
    {
        var answer = World.Telegram.ClientSendsReturningId(AgencyWorld.StaffChat, "Noted, thanks", userId: AgencyWorld.Assistant, firstName: "Marie", threadId: Topic);
        await World.WaitForAsync(_ => AnnaHas("Noted, thanks"));
        await World.SettledAsync();
        var under = World.Telegram.SentTo(AgencyWorld.StaffChat).Last();

        var now = await ScopeOfAsync(PressUnder(under, $"op:now:{answer}", AgencyWorld.Assistant));
        var atOpening = await ScopeOfAsync(PressUnder(under, $"op:open:{answer}", AgencyWorld.Assistant));
        var byAStranger = await ScopeOfAsync(PressUnder(under, $"op:now:{answer}", 4242));
        var noSuchAnswer = await ScopeOfAsync(PressUnder(under, $"op:now:{answer + 999}", AgencyWorld.Assistant));
        var malformed = await ScopeOfAsync(PressUnder(under, $"op:later:{answer}", AgencyWorld.Assistant));

        Assert.Multiple(() =>
        {
            Assert.That(now.Keys, Is.EqualTo(WriteScope.Of([Anna], [Project]).Keys), "the project its copy went to, and Anna's chat");
            Assert.That(atOpening.Keys, Is.EqualTo(now.Keys));
            Assert.That(new[] { byAStranger, noSuchAnswer, malformed }.Select(s => s.IsEverything), Is.All.True,
                "a press by no staff member, naming no answer, saying neither at opening nor now");
        });
    }

    private Update InStaffChat(Message message, bool edited = false)
    {
        message.Chat = new Chat { Id = AgencyWorld.StaffChat, Type = ChatType.Supergroup, Title = "Staff", IsForum = true };
        message.From ??= new User { Id = AgencyWorld.Assistant, FirstName = "Marie" };
        message.Date = DateTime.UtcNow;
        return edited ? new Update { Id = 1, EditedMessage = message } : new Update { Id = 1, Message = message };
    }

    private Message InTopic(string? text = null) => new() { Id = 5000, Text = text, MessageThreadId = Topic, IsTopicMessage = true };

    private Task<WriteScope> ScopeOfAsync(params Update[] updates) =>
        World.Db.Database.WriteAsync((c, t) => World.Host.Get<UpdateScopes>().OfAsync(updates, c, t));

    [Test]
    public async Task AnAnswerInATopic_LocksItsProjectAndItsChats_AnythingMoreRunsAlone()
    {
        var answer = await ScopeOfAsync(InStaffChat(InTopic("Hello Anna")));
        var photo = new Message { Id = 5001, Photo = [new PhotoSize { FileId = "p", FileUniqueId = "p", Width = 1, Height = 1 }], MessageThreadId = Topic, IsTopicMessage = true };
        var photoAnswer = await ScopeOfAsync(InStaffChat(photo));
        World.Telegram.ClientSends(Anna, "A question", firstName: "Anna");
        var relay = (await World.WaitForAsync(s => s.Any(m => m.ChatId == AgencyWorld.StaffChat && m.Text?.Contains("A question", StringComparison.Ordinal) == true)))
            .Last(m => m.ChatId == AgencyWorld.StaffChat);
        await World.SettledAsync();
        var replyToTheRelay = await ScopeOfAsync(InStaffChat(new Message { Id = 5005, Text = "Answered", ReplyToMessage = new Message { Id = relay.MessageId } }));
        var commandInCaption = await ScopeOfAsync(InStaffChat(new Message
        {
            Id = 5002, Document = new Document { FileId = "d", FileUniqueId = "d" }, Caption = "/invoice 2026-12", MessageThreadId = Topic, IsTopicMessage = true,
            CaptionEntities = [new MessageEntity { Type = MessageEntityType.BotCommand, Offset = 0, Length = 8 }],
        }));
        var taskCommands = new List<WriteScope>();
        foreach (var text in new[] { "/task Call Anna", "/done #1", "/time 1h30m work", "/due #1 tomorrow", "/ack", "/all We are closed on Friday", "/r thanks",
                     "/later tomorrow 09:00 Here it is", "/approve #1", "/file Logo" })
            taskCommands.Add(await ScopeOfAsync(InStaffChat(InTopic(text))));
        var command = await ScopeOfAsync(InStaffChat(InTopic("/invite")));
        var mine = await ScopeOfAsync(InStaffChat(InTopic("/my")));
        var timeElsewhere = await ScopeOfAsync(InStaffChat(new Message { Id = 5006, Text = "/time Website 1h work" }));
        var edit = await ScopeOfAsync(InStaffChat(InTopic("Hello Anna, edited"), edited: true));
        var general = await ScopeOfAsync(InStaffChat(new Message { Id = 5003, Text = "Lunch?" }));
        var stranger = await ScopeOfAsync(InStaffChat(new Message { Id = 5004, Text = "Hi", MessageThreadId = Topic, IsTopicMessage = true, From = new User { Id = 4242, FirstName = "Eve" } }));
        await World.Db.ExecuteAsync("INSERT INTO dialogs (chat_id, user_id, kind, step, data, thread_id, updated_at) VALUES (@Chat, @User, 'project', 'name', '{}', @Topic, 0)",
            new { Chat = AgencyWorld.StaffChat, User = AgencyWorld.Assistant, Topic = Topic });
        var inADialog = await ScopeOfAsync(InStaffChat(InTopic("Website v2")));

        Assert.Multiple(() =>
        {
            Assert.That(answer.Keys, Is.EqualTo(WriteScope.Of([Anna], [Project]).Keys), "an answer: its project and Anna's chat");
            Assert.That(photoAnswer.Keys, Is.EqualTo(answer.Keys), "a photo answer the same");
            Assert.That(replyToTheRelay.Keys, Is.EqualTo(answer.Keys), "a reply to the relayed question, outside its topic, the same");
            Assert.That(taskCommands.Select(s => s.Keys), Is.All.EqualTo(answer.Keys),
                "a task, time or due command in the topic, an /all, /r or /later answer, an /approve, a /file, the same");
            Assert.That(commandInCaption.Keys, Is.EqualTo(answer.Keys), "an /invoice caption, the same");
            Assert.That(new[] { command, mine, timeElsewhere, edit, general, stranger, inADialog }.Select(s => s.IsEverything), Is.All.True,
                "an /invite, a /my, a /time outside any topic, an edit, a message about no project, from no staff member, in a dialog");
        });
    }
}
