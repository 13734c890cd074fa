using AgencyBot.Core.Clients;

namespace AgencyBot.Core.Onboarding;

/// <summary>What one line of an import gave: created (with its invitation), or already there (nothing done).</summary>
public sealed record ImportedProject(int Line, string Client, string Project, long ProjectId, string Status, Invitation? Invitation);

/// <summary>An import's outcome: every line's project, or the problems of the lines that cannot be imported (then
/// nothing at all was).</summary>
public sealed record ImportResult(IReadOnlyList<ImportedProject> Projects, IReadOnlyDictionary<string, string[]> Problems);

/// <summary>
/// Moves many clients over at once (the seed's agency took six months to): every line becomes a project through
/// <see cref="ProjectSetup"/>, with its invitation. All or nothing: one bad line and nothing is created, every bad line
/// named. Running the same file again creates nothing twice: a client's project of the same name is left as it is.
/// </summary>
public sealed class ProjectImport(ProjectSetup setup)
{
    public async Task<ImportResult> ImportAsync(IDbConnection c, IDbTransaction t, IReadOnlyList<ImportRow> rows, string username, long? actorId,
        DateTimeOffset now)
    {
        var problems = new Dictionary<string, string[]>();
        foreach (var row in rows)
            if (await ProjectSetup.ProblemAsync(c, t, Spec(row)) is { } problem)
                problems[$"line {row.Line}"] = [problem.Problem];
        if (problems.Count > 0) return new ImportResult([], problems);

        var projects = new List<ImportedProject>();
        foreach (var row in rows)
        {
            var (client, name) = (row.Client!.Trim(), row.Project!.Trim());
            if (await ClientStore.FindByNameAsync(c, t, client) is { } known
                && (await Projects.ProjectStore.OfClientAsync(c, t, known.Id)).FirstOrDefault(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase)) is { } existing)
            {
                projects.Add(new ImportedProject(row.Line, known.Name, existing.Name, existing.Id, "exists", null));
                continue;
            }
            var created = await setup.CreateAsync(c, t, Spec(row), username, actorId, now);
            // Checked above in this transaction: nothing can have changed since.
            var project = created.Project ?? throw new InvalidOperationException($"line {row.Line}: {created.Problem}");
            projects.Add(new ImportedProject(row.Line, client, project.Name, project.Id, "created", created.Invitation));
        }
        return new ImportResult(projects, problems);
    }

    private static NewProject Spec(ImportRow row) =>
        new(null, row.Client, row.Project ?? "", TemplateName: row.Template, Language: row.Language?.Trim().ToLowerInvariant(), Contact: row.Contact);
}
