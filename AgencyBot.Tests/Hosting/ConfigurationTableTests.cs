using System.Collections;
using System.Globalization;
using System.Reflection;
using AgencyBot.Core.Agency;
using AgencyBot.Core.Conversations;
using AgencyBot.Core.Digest;
using AgencyBot.Core.Sending;
using AgencyBot.Core.TimeTracking;
using AgencyBot.Host.Settings;

namespace AgencyBot.Tests.Hosting;

/// <summary>
/// The README's configuration table against the options classes, where each default is written once: every setting
/// has a row, every row names a setting, and each row's default is the class's.
/// </summary>
public sealed class ConfigurationTableTests
{
    private static readonly Type[] Sections =
    [
        typeof(TelegramOptions), typeof(DatabaseOptions), typeof(AdminApiOptions), typeof(AgencyOptions), typeof(ConversationOptions),
        typeof(SlaOptions), typeof(TimeTrackingOptions), typeof(DigestOptions), typeof(AgencyBot.Core.Satisfaction.CsatOptions), typeof(AgencyBot.Core.Approvals.ApprovalOptions),
    ];

    [Test]
    public void EverySetting_HasARow_AndEveryRow_NamesASetting()
    {
        var rows = Rows();
        var settings = Settings().Select(s => s.Key).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(settings.Except(rows.Keys), Is.Empty, "settings missing from the README's table");
            Assert.That(rows.Keys.Except(settings), Is.Empty, "rows naming no setting");
        });
    }

    [Test]
    public void EachRowsDefault_IsTheOptionsClassDefault()
    {
        var rows = Rows();
        Assert.Multiple(() =>
        {
            foreach (var (key, value) in Settings().Where(s => rows.ContainsKey(s.Key)))
            {
                var cell = rows[key];
                if (Described(value) is { } expected) Assert.That(cell, Is.EqualTo(expected), key);
                else Assert.That(cell, Does.StartWith("—").Or.StartWith("("), $"{key} has no default: the README says so in words");
            }
        });
    }

    /// <summary>How the table writes a default; null when there is none (empty, unset), which the table says in words.</summary>
    private static string? Described(object? value) => value switch
    {
        null or "" => null,
        IList { Count: 0 } => null,
        bool b => b ? "`true`" : "`false`",
        TimeSpan span => $"`{span.ToString("c", CultureInfo.InvariantCulture)}`",
        RateOptions rate => string.Create(CultureInfo.InvariantCulture, $"{rate.Messages} per `{rate.Per:c}`, burst {rate.Burst}"),
        IList list => string.Join(", ", list.Cast<object>().Select(i => Convert.ToString(i, CultureInfo.InvariantCulture))),
        IFormattable number => $"`{number.ToString(null, CultureInfo.InvariantCulture)}`",
        _ => $"`{value}`",
    };

    /// <summary>Every setting (Section:Property[:Property]) with its default, lists filled as after binding.</summary>
    private static IEnumerable<(string Key, object? Value)> Settings()
    {
        foreach (var type in Sections)
        {
            var options = Activator.CreateInstance(type)!;
            type.GetMethod("Defaults", Type.EmptyTypes)?.Invoke(options, null);
            foreach (var setting in Leaves((string)type.GetField("Section")!.GetValue(null)!, options)) yield return setting;
        }
    }

    private static IEnumerable<(string Key, object? Value)> Leaves(string prefix, object options)
    {
        foreach (var property in options.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod?.IsPublic == true))
        {
            var key = $"{prefix}:{property.Name}";
            var value = property.GetValue(options);
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var isLeaf = type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(TimeSpan) || type == typeof(RateOptions)
                || typeof(IList).IsAssignableFrom(type);
            if (isLeaf) yield return (key, value);
            else foreach (var leaf in Leaves(key, value!)) yield return leaf;
        }
    }

    /// <summary>The table under "## Configuration": key → default cell.</summary>
    private static Dictionary<string, string> Rows()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        var section = readme[readme.IndexOf("\n## Configuration", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n## ", 1, StringComparison.Ordinal)];
        return section.Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal))
            .Select(l => l.Split('|', StringSplitOptions.TrimEntries))
            .Select(cells => (Key: cells[1].Trim('`'), Default: cells[2]))
            .Where(r => r.Key.Contains(':', StringComparison.Ordinal))
            .ToDictionary(r => r.Key, r => r.Default);
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "AgencyBot.sln"))) return folder.FullName;
        throw new InvalidOperationException("AgencyBot.sln not found above the test folder");
    }
}
