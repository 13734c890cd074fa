using System.Reflection;
using System.Text.RegularExpressions;
using NetArchTest.Rules;

namespace AgencyBot.Tests.Architecture;

/// <summary>
/// Core's folders (one namespace each) depend on one another one way only, so each can be read and changed knowing
/// only the folders below it: Data at the bottom, Updates (what the bot does with an update) at the top.
/// Dependencies are read from the compiled assembly by NetArchTest, not from using directives.
/// </summary>
public sealed class FolderGraphTests
{
    private static readonly Assembly Core = typeof(AgencyBot.Core.Data.Database).Assembly;

    private static readonly Lazy<IReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlyList<string>>>> Graph = new(Build);

    [Test]
    public void CoresFolders_DependOnOneAnother_WithoutACycle()
    {
        var cycle = FindCycle(Graph.Value.ToDictionary(f => f.Key, f => (IReadOnlyList<string>)f.Value.Keys.ToList()));

        Assert.That(cycle, Is.Null, () => "Folders in a cycle: " + string.Join(" → ", cycle!.Select(Short)) + "\n" + string.Join("\n",
            cycle!.Zip(cycle!.Skip(1)).Select(e => $"  {Short(e.First)} → {Short(e.Second)} by {string.Join(", ", Graph.Value[e.First][e.Second])}")));
    }

    [Test]
    public void TheGraph_SeesRealDependencies_BothWays()
    {
        var graph = Graph.Value;
        Assert.Multiple(() =>
        {
            Assert.That(graph["AgencyBot.Core.Updates"].Keys, Does.Contain("AgencyBot.Core.Conversations"), "the router hands messages to the record");
            Assert.That(graph["AgencyBot.Core.Data"].Keys, Is.Empty, "the database knows no feature");
        });
    }

    [TestCase("A>B B>C", null)]
    [TestCase("A>B B>A", "A B A")]
    [TestCase("A>B B>C C>A D>A", "A B C A")]
    public void FindCycle_FindsOneWhereThereIsOne(string edges, string? expected)
    {
        var graph = edges.Split(' ').Select(e => e.Split('>')).GroupBy(e => e[0])
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(e => e[1]).ToList());
        var cycle = FindCycle(graph);
        Assert.That(cycle is null ? null : string.Join(" ", cycle), Is.EqualTo(expected));
    }

    /// <summary>Each folder → the folders its types use → which of its types use them.</summary>
    private static IReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlyList<string>>> Build()
    {
        var folders = Core.GetTypes().Where(t => !t.IsNested).GroupBy(t => t.Namespace)
            .Where(g => g.Key?.StartsWith("AgencyBot.Core.", StringComparison.Ordinal) == true)
            .ToDictionary(g => g.Key!, g => g.Select(t => t.FullName!).ToArray());
        return folders.Keys.ToDictionary(folder => folder, folder => (IReadOnlyDictionary<string, IReadOnlyList<string>>)folders
            .Where(other => other.Key != folder)
            .Select(other => (other.Key, Result: Types.InAssembly(Core).That().ResideInNamespaceMatching($"^{Regex.Escape(folder)}$")
                .ShouldNot().HaveDependencyOnAny(other.Value).GetResult()))
            .Where(d => !d.Result.IsSuccessful)
            .ToDictionary(d => d.Key, d => (IReadOnlyList<string>)d.Result.FailingTypeNames.Select(n => n[(folder.Length + 1)..]).ToList()));
    }

    /// <summary>A path that comes back to where it started (its first folder repeated at the end), or null.</summary>
    internal static IReadOnlyList<string>? FindCycle(IReadOnlyDictionary<string, IReadOnlyList<string>> graph)
    {
        var done = new HashSet<string>();
        var path = new List<string>();
        IReadOnlyList<string>? Visit(string node)
        {
            var at = path.IndexOf(node);
            if (at >= 0) return [.. path[at..], node];
            if (!done.Add(node)) return null;
            path.Add(node);
            foreach (var next in graph.GetValueOrDefault(node) ?? [])
                if (Visit(next) is { } cycle) return cycle;
            path.RemoveAt(path.Count - 1);
            return null;
        }
        return graph.Keys.Order(StringComparer.Ordinal).Select(Visit).FirstOrDefault(c => c is not null);
    }

    private static string Short(string folder) => folder["AgencyBot.Core.".Length..];
}
