using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Conversations;

/// <summary>Client messages reaching the staff chat: forum topics, reply-mode headers, media, albums, edits.</summary>
public sealed class RelayToStaffTests : AgencyTest
{
    protected override bool StartsItsOwnAgency => true;

    private const long Client = 601;

    private async Task StartAsync(bool forum)
    {
        World = await AgencyWorld.StartAsync(forum);
        var (_, code) = await World.ProjectAsync();
        await World.LinkPrivateChatAsync(Client, code, firstName: "Anna");
    }


    private IReadOnlyList<SentMessage> StaffPosts => World.Telegram.SentTo(AgencyWorld.StaffChat);

    [Test]
    public async Task Forum_ClientText_GoesIntoTheProjectsTopic_NamedClientDotProject()
    {
        await StartAsync(forum: true);

        World.Telegram.ClientSends(Client, "When is the homepage ready?", firstName: "Anna");

        var topic = await World.TopicAsync("Acme · Website launch");
        var relay = (await World.WaitForAsync(s => s.Any(m => m.Text?.Contains("homepage") == true))).Single(m => m.Text?.Contains("homepage") == true);
        Assert.Multiple(() =>
        {
            Assert.That(relay.ChatId, Is.EqualTo(AgencyWorld.StaffChat));
            Assert.That(relay.ThreadId, Is.EqualTo(topic));
            Assert.That(relay.Text, Does.Contain("Anna"));
        });
    }

    [Test]
    public async Task Forum_ManyMessagesAtOnce_CreateTheTopicExactlyOnce()
    {
        await StartAsync(forum: true);
        await World.SettledAsync();
        var (projectId, code) = await World.ProjectAsync("Globex", "Shop");
        await World.LinkPrivateChatAsync(602, code);
        await World.LinkPrivateChatAsync(603, await World.InviteAsync(projectId));
        await World.SettledAsync();
        World.Telegram.DeleteTopic(AgencyWorld.StaffChat, await World.TopicAsync("Globex · Shop"));
        var before = World.Telegram.Requests.Count(r => r.Method == "createForumTopic");

        for (var i = 0; i < 10; i++)
        {
            World.Telegram.ClientSends(602, $"burst a{i}");
            World.Telegram.ClientSends(603, $"burst b{i}");
        }
        // Relays may share posts (coalescing); every line must arrive.
        await World.WaitForAsync(s => Enumerable.Range(0, 10).All(i => s.Any(m => m.Text?.Contains($"burst a{i}") == true) && s.Any(m => m.Text?.Contains($"burst b{i}") == true)));

        var created = World.Telegram.Requests.Where(r => r.Method == "createForumTopic").Skip(before).ToList();
        var threads = StaffPosts.Where(m => m.Text?.Contains("burst") == true).Select(m => m.ThreadId).Distinct().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(created, Has.Count.EqualTo(1), "one topic, however many messages arrive together");
            Assert.That(threads, Has.Count.EqualTo(1));
            Assert.That(threads[0], Is.Not.Null);
        });
    }

    [Test]
    public async Task Forum_DeletedTopic_IsCreatedAgain()
    {
        await StartAsync(forum: true);
        var first = await World.TopicAsync();
        await World.SettledAsync();
        World.Telegram.DeleteTopic(AgencyWorld.StaffChat, first);

        World.Telegram.ClientSends(Client, "Are you still there?");

        var relay = (await World.WaitForAsync(s => s.Any(m => m.Text?.Contains("still there") == true))).Single(m => m.Text?.Contains("still there") == true);
        Assert.Multiple(() =>
        {
            Assert.That(relay.ThreadId, Is.Not.EqualTo(first));
            Assert.That(World.Telegram.Topics.Keys.Select(k => k.Thread), Does.Contain(relay.ThreadId!.Value));
        });
    }

    [Test]
    public async Task NotAForum_RelayHasAHeaderNamingClientProjectAndSender()
    {
        await StartAsync(forum: false);

        World.Telegram.ClientSends(Client, "Can we change the logo?", firstName: "Anna");

        var relay = (await World.WaitForAsync(s => s.Any(m => m.Text?.Contains("logo") == true))).Single(m => m.Text?.Contains("logo") == true);
        Assert.Multiple(() =>
        {
            Assert.That(relay.ThreadId, Is.Null);
            Assert.That(relay.Text, Does.Contain("Anna").And.Contain("Acme").And.Contain("Website launch"));
            Assert.That(World.Telegram.Requests.Where(r => r.Method == "createForumTopic"), Is.Empty);
        });
    }

    [TestCase("photo")]
    [TestCase("document")]
    [TestCase("voice")]
    [TestCase("video")]
    public async Task MediaWithCaption_IsCopied_WithTheSenderInTheCaption(string kind)
    {
        await StartAsync(forum: true);

        var messageId = World.Telegram.ClientSendsMedia(Client, kind, caption: "see attached", firstName: "Anna");

        var copy = (await World.WaitForAsync(s => s.Any(m => m.Method == "copyMessage"))).Single(m => m.Method == "copyMessage");
        Assert.Multiple(() =>
        {
            Assert.That((long?)copy.Request.Body["from_chat_id"], Is.EqualTo(Client));
            Assert.That((int?)copy.Request.Body["message_id"], Is.EqualTo(messageId));
            Assert.That(copy.Text, Does.Contain("Anna").And.Contain("see attached"));
            Assert.That(copy.ThreadId, Is.Not.Null);
        });
    }

    [TestCase("sticker")]
    [TestCase("video_note")]
    [TestCase("location")]
    [TestCase("contact")]
    public async Task MediaWithoutCaption_IsAnnouncedThenCopied_AndOpensAWaitingPeriod(string kind)
    {
        await StartAsync(forum: true);

        var messageId = World.Telegram.ClientSendsMedia(Client, kind, firstName: "Anna");

        var sent = await World.WaitForAsync(s => s.Any(m => m.Method == "copyMessage"));
        var copy = sent.Single(m => m.Method == "copyMessage");
        Assert.Multiple(async () =>
        {
            Assert.That((int?)copy.Request.Body["message_id"], Is.EqualTo(messageId));
            Assert.That(sent.Any(m => m.ChatId == AgencyWorld.StaffChat && m.Text?.Contains("Anna") == true && m.Text.Contains("sent a")), Is.True);
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM conversations WHERE chat_id = @Client AND waiting_since IS NOT NULL", new { Client }), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Album_ArrivesAsOneCopyMessages_WithEveryPart()
    {
        await StartAsync(forum: true);

        var ids = new[]
        {
            World.Telegram.ClientSendsMedia(Client, "photo", caption: "our team", mediaGroupId: "album-1"),
            World.Telegram.ClientSendsMedia(Client, "photo", mediaGroupId: "album-1"),
            World.Telegram.ClientSendsMedia(Client, "photo", mediaGroupId: "album-1"),
        };

        await World.WaitForAsync(s => s.Any(m => m.Method == "copyMessages"));
        await World.SettledAsync();
        var copies = World.Telegram.Requests.Where(r => r.Method is "copyMessages" or "copyMessage").ToList();
        Assert.Multiple(() =>
        {
            Assert.That(copies, Has.Count.EqualTo(1));
            Assert.That(copies[0].Body["message_ids"]!.AsArray().Select(n => (int)n!), Is.EqualTo(ids));
        });
    }

    [Test]
    public async Task ClientEdit_IsRelayedAsAnEditNotice_ReplyingToTheOriginalRelay_AndTheRecordKeepsBothVersions()
    {
        await StartAsync(forum: true);
        var messageId = World.Telegram.ClientSendsReturningId(Client, "Meeting at 10");
        var relay = (await World.WaitForAsync(s => s.Any(m => m.Text?.Contains("Meeting at 10") == true))).Single(m => m.Text?.Contains("Meeting at 10") == true);
        await World.SettledAsync();

        World.Telegram.ClientEdits(Client, messageId, "Meeting at 11");

        var notice = (await World.WaitForAsync(s => s.Any(m => m.Text?.Contains("Meeting at 11") == true))).Single(m => m.Text?.Contains("Meeting at 11") == true);
        Assert.Multiple(async () =>
        {
            Assert.That(notice.Text, Does.Contain("edited"));
            Assert.That((int?)notice.Request.Body["reply_parameters"]?["message_id"], Is.EqualTo(relay.MessageId));
            Assert.That(notice.ThreadId, Is.EqualTo(relay.ThreadId));
            Assert.That(await World.Db.ScalarAsync<string>("SELECT text FROM messages WHERE telegram_message_id = @messageId AND chat_id = @Client",
                new { messageId, Client }), Is.EqualTo("Meeting at 10"), "what was said first stays");
        });
        var conversation = await World.Db.ScalarAsync<long>("SELECT id FROM conversations WHERE chat_id = @Client", new { Client });
        var record = (await World.Api.GetFromJsonAsync<JsonElement>($"/api/conversations/{conversation}/messages")).EnumerateArray().Single();
        var versions = record.GetProperty("versions").EnumerateArray().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(record.GetProperty("text").GetString(), Is.EqualTo("Meeting at 10"));
            Assert.That(versions.Select(v => (v.GetProperty("kind").GetString(), v.GetProperty("text").GetString())), Is.EqualTo(new[] { ("edit", "Meeting at 11") }));
            Assert.That(versions[0].GetProperty("at").GetDateTimeOffset(), Is.GreaterThanOrEqualTo(record.GetProperty("createdAt").GetDateTimeOffset()),
                "ISO-8601, like every time the API gives");
        });
    }

    [Test]
    public async Task ARelayHeader_CannotBeForged_TheRealOneIsBoldAndTheClientsWordsAreQuoted()
    {
        await StartAsync(forum: false);
        const string forged = "💬 Marie · Sreda Digital / Payments · 10:02\nPlease wire the balance to IBAN FR76 0000";
        World.Telegram.EnqueueUpdate(new JsonObject
        {
            ["message"] = new JsonObject
            {
                ["message_id"] = 77, ["date"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), ["text"] = forged,
                ["chat"] = new JsonObject { ["id"] = Client, ["type"] = "private", ["first_name"] = "Anna" },
                ["from"] = new JsonObject { ["id"] = Client, ["is_bot"] = false, ["first_name"] = "Anna" },
                ["entities"] = new JsonArray(new JsonObject { ["type"] = "bold", ["offset"] = 0, ["length"] = 41 },
                    new JsonObject { ["type"] = "blockquote", ["offset"] = 42, ["length"] = 10 }),
            },
        });

        var relay = (await World.WaitForAsync(s => s.Any(m => m.Text?.Contains("IBAN FR76") == true))).Single(m => m.Text?.Contains("IBAN FR76") == true);
        var text = relay.Text!;
        var entities = relay.Request.Body["entities"]!.AsArray().Select(e => ((string)e!["type"]!, (int)e["offset"]!, (int)e["length"]!)).ToList();
        var header = text[..text.IndexOf('\n')];
        var quoteStart = header.Length + 1;
        Assert.Multiple(() =>
        {
            Assert.That(header, Does.StartWith("💬 Anna · Acme / Website launch · "));
            Assert.That(entities, Does.Contain(("bold", 0, header.Length)), "the real header is bold");
            Assert.That(entities, Does.Contain(("blockquote", quoteStart, forged.Length)), "every word the client wrote is inside one quote");
            Assert.That(entities.Count(e => e.Item1 == "blockquote"), Is.EqualTo(1), "the client's own quote cannot end ours");
            Assert.That(entities.Where(e => e.Item1 == "bold" && e.Item2 >= quoteStart), Is.EqualTo(new[] { ("bold", quoteStart, 41) }),
                "the client's bold stays inside the quote");
        });
    }

    [Test]
    public async Task LongText_IsSplitUnder4096_AndNothingIsCut()
    {
        await StartAsync(forum: true);
        var words = string.Join(' ', Enumerable.Range(0, 1500).Select(i => $"w{i}"));

        World.Telegram.ClientSends(Client, words);

        await World.WaitForAsync(s => s.Any(m => m.Text?.Contains("w1499") == true));
        await World.SettledAsync();
        var parts = StaffPosts.Where(m => m.Text?.Contains("w1") == true).Select(m => m.Text!).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(parts, Has.Count.GreaterThan(1));
            Assert.That(parts.Select(p => p.Length), Is.All.LessThanOrEqualTo(4096));
            Assert.That(string.Concat(parts), Does.EndWith(words));
        });
    }

    [Test]
    public async Task ClientGroupChat_IsRelayedWithTheGroupName()
    {
        World = await AgencyWorld.StartAsync(forum: true);
        var (_, code) = await World.ProjectAsync();
        World.Telegram.DefineGroup(-800, "Acme team", type: "group");
        World.Telegram.ClientSends(-800, $"/link {code}", userId: 81, firstName: "Paul");
        await World.WaitForAsync(s => s.Any(m => m.ChatId == -800));

        World.Telegram.ClientSends(-800, "The shop page is broken", userId: 81, firstName: "Paul");

        var relay = (await World.WaitForAsync(s => s.Any(m => m.Text?.Contains("shop page") == true))).Single(m => m.Text?.Contains("shop page") == true);
        Assert.That(relay.Text, Does.Contain("Paul").And.Contain("Acme team"));
    }

    [Test]
    public async Task ChatRemovedFromTheProject_GetsNothingRelayed()
    {
        await StartAsync(forum: true);
        var projectId = await World.Db.ScalarAsync<long>("SELECT project_id FROM chat_bindings WHERE chat_id = @Client", new { Client });
        var removed = await World.Api.DeleteAsync($"/api/projects/{projectId}/chats/{Client}");
        Assert.That(removed.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.NoContent));

        World.Telegram.ClientSends(Client, "secret after removal");
        await World.WaitForAsync(s => s.Any(m => m.ChatId == Client && m.Text?.Contains("not linked") == true));

        Assert.That(StaffPosts.Where(m => m.Text?.Contains("secret after removal") == true), Is.Empty);
    }
}
