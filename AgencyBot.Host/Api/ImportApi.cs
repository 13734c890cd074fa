using AgencyBot.Core.Data;
using AgencyBot.Core.Onboarding;
using AgencyBot.Host.Telegram;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AgencyBot.Host.Api;

/// <summary>One imported project: its invitation to send (link and text in the client's language), or "exists" when
/// the client already had a project of that name (then nothing was done).</summary>
public sealed record ImportedProjectView(int Line, string Client, string Project, long ProjectId, string Status, string? Link, string? Language,
    string? Invitation, DateTimeOffset? ExpiresAt);

public sealed record ImportAnswer(int Created, int Existing, IReadOnlyList<ImportedProjectView> Projects);

public static class ImportApi
{
    /// <summary>POST /api/import: a CSV (text/csv) or JSON array (application/json) of client, project, template,
    /// language, contact. All or nothing: a 400 names every line that cannot be imported.</summary>
    public static void MapImport(this RouteGroupBuilder api) =>
        api.MapPost("/import", ImportAsync).Accepts<ImportRow[]>("application/json", "text/csv");

    private static async Task<Results<Ok<ImportAnswer>, ValidationProblem, ProblemHttpResult>> ImportAsync(HttpRequest request, Database database,
        ProjectImport import, BotIdentity bot, TimeProvider clock, ILogger<ProjectImport> logger, CancellationToken ct)
    {
        var json = request.HasJsonContentType();
        if (!json && request.ContentType?.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase) != true)
            return Problems.BadRequest("Send the projects as text/csv (a header line: client,project,template,language,contact) or as an application/json array.");
        using var reader = new StreamReader(request.Body);
        var (rows, problem) = ImportFile.Read(await reader.ReadToEndAsync(ct), json);
        if (problem is not null) return Problems.BadRequest(problem);
        if (await Problems.UsernameAsync(bot, ct) is not { } username) return Problems.TelegramUnreachable();
        var result = await database.WriteAsync((c, t) => import.ImportAsync(c, t, rows, username, null, clock.GetUtcNow()), ct);
        if (result.Problems.Count > 0)
        {
            logger.LogWarning("Import of {Rows} lines refused: {Bad} cannot be imported", rows.Count, result.Problems.Count);
            return TypedResults.ValidationProblem(result.Problems, title: "Nothing was imported", detail: "Fix these lines and send the whole file again.");
        }
        logger.LogInformation("Imported {Rows} lines", rows.Count);
        return TypedResults.Ok(View(result));
    }

    public static ImportAnswer View(ImportResult result) => new(
        result.Projects.Count(p => p.Status == "created"), result.Projects.Count(p => p.Status == "exists"),
        [.. result.Projects.Select(p => new ImportedProjectView(p.Line, p.Client, p.Project, p.ProjectId, p.Status, p.Invitation?.Link,
            p.Invitation?.Language, p.Invitation?.Text, p.Invitation?.ExpiresAt))]);
}
