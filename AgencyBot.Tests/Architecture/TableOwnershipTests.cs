using System.Reflection;
using System.Text.RegularExpressions;

namespace AgencyBot.Tests.Architecture;

/// <summary>
/// Every table is written by one class (its store): two writers of a table are two copies of its rules, and they
/// drift apart. The statements are read from Core's compiled string constants and static strings, where every SQL
/// statement of ours lives; the migrations (SQL files) are not code and are left out.
/// </summary>
public sealed partial class TableOwnershipTests
{
    private static readonly Assembly Core = typeof(AgencyBot.Core.Data.Database).Assembly;

    [Test]
    public void EveryTable_IsWrittenByOneClass()
    {
        var writers = Writers();
        var shared = writers.Where(w => w.Value.Count > 1).Select(w => $"{w.Key}: {string.Join(", ", w.Value.Order())}").ToList();

        Assert.That(shared, Is.Empty, () => "Tables written by more than one class:\n" + string.Join("\n", shared));
    }

    [Test]
    public void TheScan_FindsTheWritesItLooksFor()
    {
        var writers = Writers();
        Assert.Multiple(() =>
        {
            Assert.That(writers["conversations"], Is.EquivalentTo(new[] { "ConversationStore" }), "an UPDATE");
            Assert.That(writers["outbox"], Is.EquivalentTo(new[] { "OutboxStore" }), "an INSERT");
            Assert.That(writers["blocked_chats"], Is.EquivalentTo(new[] { "ClientChatStore" }), "an INSERT and a DELETE");
            Assert.That(writers.Keys, Has.Count.GreaterThan(20), "every table we write");
        });
    }

    [TestCase("UPDATE conversations SET taken_by = 1", "conversations")]
    [TestCase("INSERT INTO blocked_chats (chat_id) VALUES (1) ON CONFLICT (chat_id) DO UPDATE SET reason = 'x'", "blocked_chats")]
    [TestCase("DELETE FROM team_members WHERE staff_id = 1;\nUPDATE conversations SET x = 1", "team_members conversations")]
    [TestCase("SELECT id FROM conversations WHERE updated_at > 1", "")]
    public void WrittenTables_AreReadFromTheStatement(string sql, string expected) =>
        Assert.That(string.Join(" ", WrittenTables(sql)), Is.EqualTo(expected));

    /// <summary>Each written table → the top-level classes whose statements write it.</summary>
    private static Dictionary<string, HashSet<string>> Writers()
    {
        var writers = new Dictionary<string, HashSet<string>>();
        foreach (var type in Core.GetTypes().Where(t => !t.ContainsGenericParameters))
        {
            var owner = type;
            while (owner.DeclaringType is { } outer) owner = outer;
            foreach (var field in type.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (field.FieldType != typeof(string) || (!field.IsLiteral && !field.IsInitOnly)) continue;
                if (field.GetValue(null) is not string sql) continue;
                foreach (var table in WrittenTables(sql))
                {
                    if (!writers.TryGetValue(table, out var classes)) writers[table] = classes = [];
                    classes.Add(owner.Name);
                }
            }
        }
        return writers;
    }

    private static IEnumerable<string> WrittenTables(string sql) =>
        Write().Matches(sql).Select(m => m.Groups["table"].Value.ToLowerInvariant()).Distinct();

    // INSERT INTO t (, UPDATE t SET, DELETE FROM t: an upsert's "DO UPDATE SET" names no table, so it is not matched.
    [GeneratedRegex(@"(?:\bINSERT\s+INTO|(?<!DO\s)\bUPDATE|\bDELETE\s+FROM)\s+(?<table>[a-z_]+)\b(?=\s*(?:\(|SET\b|WHERE\b|VALUES\b|SELECT\b|;|$))",
        RegexOptions.IgnoreCase)]
    private static partial Regex Write();
}
