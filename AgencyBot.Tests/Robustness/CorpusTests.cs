using System.Text.Json;
using System.Text.Json.Nodes;
using AgencyBot.Tests.Hosting;
using Telegram.Bot;
using Telegram.Bot.Types;

namespace AgencyBot.Tests.Robustness;

/// <summary>
/// Corpora of real-shaped Telegram updates (Corpus/README.md) through the real host: getUpdates, the inbox, the
/// handler and the relay. Every update must reach the inbox, none may stay pending, only the lines the corpus marks
/// unreadable may be dead-lettered, and a client message sent after them all must still reach the staff chat:
/// an update the intake cannot take must never hold up the ones behind it.
/// </summary>
public sealed class CorpusTests : AgencyTest
{
    private const long Client = 601;
    private const long Group = -1005001;

    [SetUp]
    public async Task SetUp()
    {
        var (projectId, code) = await World.ProjectAsync();
        await World.LinkPrivateChatAsync(Client, code);
        await World.LinkGroupAsync(Group, projectId, userId: 70);
        await World.SettledAsync();
    }


    [Test]
    public async Task ProjectCorpus_FlowsThroughIntakeAndTheHandler_WithoutAStall()
    {
        var folder = Path.Combine(TestContext.CurrentContext.TestDirectory, "Corpus");
        var lines = ReadLines(Path.Combine(folder, "updates.jsonl"));
        var provenance = ReadLines(Path.Combine(folder, "provenance.jsonl")).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(lines, Has.Count.GreaterThanOrEqualTo(150), "the project corpus");
            Assert.That(provenance, Has.Count.EqualTo(lines.Count), "provenance.jsonl has a line for each update");
        });
        // Lines 1-based, as an editor shows them.
        var unreadable = provenance.Select((p, i) => ((string?)p["expect"], Line: i + 1)).Where(p => p.Item1 == "dead").Select(p => p.Line).ToHashSet();

        await FeedAndAssertAsync(lines, unreadable, line => (string?)provenance[line - 1]["note"]);
    }

    [Test]
    public async Task SharedCorpus_FlowsThroughWithoutAStall()
    {
        var folder = SharedCorpusFolder();
        if (folder is null)
        {
            Assert.Ignore("No shared/telegram-corpus folder beside the repository (../shared/telegram-corpus from the repo root); nothing to run.");
            return;
        }
        var lines = ReadLines(Path.Combine(folder, "updates.jsonl"));
        Assert.That(lines, Is.Not.Empty, "the shared corpus");

        // Every line of the shared corpus is an update Telegram could send: none may be dead-lettered.
        await FeedAndAssertAsync(lines, new HashSet<int>(), _ => null);
    }

    private async Task FeedAndAssertAsync(IReadOnlyList<string> lines, IReadOnlySet<int> unreadable, Func<int, string?> noteOf)
    {
        var rewrite = new PointAtTestChats(Client, Group, AgencyWorld.StaffChat, AgencyWorld.Assistant);
        var updateIds = new List<int>();
        var enqueueFailures = new List<string>();
        for (var line = 1; line <= lines.Count; line++)
        {
            var update = JsonNode.Parse(lines[line - 1]) as JsonObject;
            Assert.That(update, Is.Not.Null, $"line {line} is a JSON object");
            // The fake numbers the updates itself: an update_id present afterwards is the one it gave.
            update!.Remove("update_id");
            rewrite.Apply(update);
            try
            {
                updateIds.Add(World.Telegram.EnqueueUpdate(update));
            }
            catch (Exception ex) when (update["update_id"] is JsonValue given && given.TryGetValue<int>(out var id))
            {
                // The fake queued the update, then failed recording it for the sandbox page (its number reader throws
                // on a string message_id). The update is on its way all the same; the fake is not this test's to change.
                updateIds.Add(id);
                TestContext.Out.WriteLine($"FakeBotApi.EnqueueUpdate threw on line {line} after queuing it: {ex.GetType().Name}: {ex.Message}");
            }
            catch (Exception ex)
            {
                enqueueFailures.Add($"line {line}: {ex.GetType().Name}: {ex.Message}");
            }
        }
        Assert.That(enqueueFailures, Is.Empty, "FakeBotApi.EnqueueUpdate queued every line");
        var first = updateIds[0];
        var last = updateIds[^1];
        Assert.That(last - first + 1, Is.EqualTo(lines.Count), "the fake gave the corpus consecutive update ids");
        long LineOf(long updateId) => updateId - first + 1;

        var marker = $"corpus marker {Guid.NewGuid():N}";
        World.Telegram.ClientSends(Client, marker);
        try
        {
            await World.WaitForAsync(s => s.Any(m => m.ChatId == AgencyWorld.StaffChat && m.Text?.Contains(marker) == true));
        }
        catch (TimeoutException)
        {
            Assert.Fail(await StallReportAsync(lines, first, last));
        }
        await World.SettledAsync();

        var rows = await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM inbox WHERE update_id BETWEEN @first AND @last", new { first, last });
        var pending = await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM inbox WHERE state = 'pending'");
        var dead = await World.Db.QueryAsync<(long UpdateId, string? LastError)>(
            "SELECT update_id, last_error FROM inbox WHERE state = 'dead' ORDER BY update_id");
        var deadLines = dead.Select(d => LineOf(d.UpdateId)).ToHashSet();
        var unexpected = dead.Where(d => !unreadable.Contains((int)LineOf(d.UpdateId)))
            .Select(d => d.UpdateId >= first && d.UpdateId <= last
                ? $"line {LineOf(d.UpdateId)} ({noteOf((int)LineOf(d.UpdateId)) ?? "no note"}): {FirstLine(d.LastError)}"
                : $"update {d.UpdateId}, not from the corpus: {FirstLine(d.LastError)}")
            .ToList();
        Assert.Multiple(() =>
        {
            Assert.That(rows, Is.EqualTo(lines.Count), "every update of the corpus reached the inbox");
            Assert.That(pending, Is.Zero, "no update stays pending");
            Assert.That(unexpected, Is.Empty, "dead-lettered though readable");
            Assert.That(unreadable.Where(l => !deadLines.Contains(l)), Is.Empty, "lines marked unreadable that were not dead-lettered");
        });
    }

    /// <summary>What the intake did instead, and which lines the Telegram.Bot types cannot read, or cannot write back as
    /// the inbox does: the likely culprits.</summary>
    private async Task<string> StallReportAsync(IReadOnlyList<string> lines, int first, int last)
    {
        var rows = await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM inbox WHERE update_id BETWEEN @first AND @last", new { first, last });
        var status = World.Host.Get<AgencyBot.Host.Telegram.IntakeStatus>();
        var culprits = new List<string>();
        for (var line = 1; line <= lines.Count; line++)
        {
            try
            {
                var update = JsonSerializer.Deserialize<Update>(lines[line - 1], JsonBotAPI.Options)!;
                JsonSerializer.Serialize(update, JsonBotAPI.Options);
            }
            catch (JsonException ex)
            {
                culprits.Add($"line {line}: {FirstLine(ex.Message)}");
            }
        }
        return $"Intake stalled: a client message sent after the {lines.Count} corpus updates did not reach the staff chat within "
            + $"{AgencyWorld.Timeout.TotalSeconds:0} s. The inbox holds {rows} of the {lines.Count}; the fake Bot API still holds "
            + $"{World.Telegram.PendingUpdates} unconfirmed updates after {World.Telegram.GetUpdatesCalls} getUpdates calls "
            + $"(last offset {World.Telegram.LastOffset?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}); "
            + $"intake failing since {status.FailingSince?.ToString("O", System.Globalization.CultureInfo.InvariantCulture) ?? "never"}. "
            + $"{culprits.Count} lines the Telegram.Bot types cannot read, or write back: {string.Join("; ", culprits.Take(8))}"
            + (culprits.Count > 8 ? "; …" : "");
    }

    private static List<string> ReadLines(string path) => System.IO.File.ReadAllLines(path).Where(l => l.Length > 0).ToList();

    private static string FirstLine(string? text) => text is null ? "" : text.Split('\n')[0].Trim();

    /// <summary>../shared/telegram-corpus from the repository: looked for in every folder above the test's.</summary>
    private static string? SharedCorpusFolder()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            var folder = Path.Combine(dir.FullName, "shared", "telegram-corpus");
            if (System.IO.File.Exists(Path.Combine(folder, "updates.jsonl"))) return folder;
        }
        return null;
    }

    /// <summary>
    /// Points a collected update at the test's chats, leaving the rest of its shape alone. The chat the update happens
    /// in decides: a private chat becomes the linked client's (and its user the client), a group or supergroup the linked
    /// group, except every fourth, which becomes the staff supergroup (a forum, as the fake declares it) with its sender
    /// the registered assistant. Channels and chat types nobody knows yet stay as they are. A message announcing a
    /// migration to a supergroup keeps its chats too (it would move the linked group's binding away, and every later
    /// group update would land in an unlinked chat). An update without a chat but with a person (inline queries, poll
    /// answers, payments) gets the client as that person.
    /// </summary>
    private sealed class PointAtTestChats(long client, long group, long staffChat, long staffUser)
    {
        private int _groups;

        public void Apply(JsonObject update)
        {
            var payload = update.Where(p => p.Key != "update_id").Select(p => p.Value).OfType<JsonObject>().FirstOrDefault();
            if (payload is null || payload.ContainsKey("migrate_to_chat_id")) return;
            var chat = payload["chat"] as JsonObject ?? (payload["message"] as JsonObject)?["chat"] as JsonObject;
            if (chat is null || Number(chat["id"]) is not { } chatId)
            {
                if (Person(payload) is { } person) ReplaceUsers(update, person, client);
                return;
            }
            switch (Text(chat["type"]))
            {
                case "private":
                    ReplaceChats(update, chatId, client, forum: false);
                    ReplaceUsers(update, chatId, client);
                    break;
                case "group" or "supergroup" when ++_groups % 4 == 0:
                    ReplaceChats(update, chatId, staffChat, forum: true);
                    if (Person(payload) is { } sender) ReplaceUsers(update, sender, staffUser);
                    break;
                case "group" or "supergroup":
                    ReplaceChats(update, chatId, group, forum: false);
                    break;
            }
        }

        /// <summary>The person behind the update (from, or user), if not a bot.</summary>
        private static long? Person(JsonObject payload) =>
            (payload["from"] ?? payload["user"]) is JsonObject user && user["is_bot"] is JsonValue bot && bot.TryGetValue<bool>(out var isBot) && !isBot
                ? Number(user["id"]) : null;

        private static void ReplaceChats(JsonNode node, long from, long to, bool forum) =>
            Walk(node, o =>
            {
                if (!o.ContainsKey("type") || o.ContainsKey("is_bot") || Number(o["id"]) != from) return;
                o["id"] = to;
                if (!forum) return;
                o["type"] = "supergroup";
                o["is_forum"] = true;
            });

        private static void ReplaceUsers(JsonNode node, long from, long to) =>
            Walk(node, o =>
            {
                if (o.ContainsKey("is_bot") && Number(o["id"]) == from) o["id"] = to;
            });

        private static void Walk(JsonNode? node, Action<JsonObject> visit)
        {
            switch (node)
            {
                case JsonObject o:
                    visit(o);
                    foreach (var (_, value) in o.ToList()) Walk(value, visit);
                    break;
                case JsonArray a:
                    foreach (var item in a) Walk(item, visit);
                    break;
            }
        }

        private static long? Number(JsonNode? node) => node is JsonValue v && v.TryGetValue<long>(out var n) ? n : null;

        private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
    }
}
