using AgencyBot.Core.Clients;
using AgencyBot.Core.Data;
using AgencyBot.Core.SavedAnswers;
using AgencyBot.Core.Updates;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AgencyBot.Host.Api;

/// <summary>A saved answer's texts by language ("en", "fr"); {name}, {project}, {agency} and {me} are filled in when it
/// is sent.</summary>
public sealed record SaveAnswer(IReadOnlyDictionary<string, string>? Texts);

internal sealed class SaveAnswerValidator : AbstractValidator<SaveAnswer>
{
    public SaveAnswerValidator()
    {
        RuleFor(a => a.Texts).NotEmpty();
        RuleForEach(a => a.Texts).Must(x => ClientTexts.Languages.Contains(x.Key)).WithMessage("Each language must be one of: en, fr.")
            .Must(x => x.Value is { Length: > 0 and <= 4000 }).WithMessage("Each text must be 1-4000 characters.")
            .Must(x => SavedAnswerText.Unknown(x.Value ?? "").Count == 0)
            .WithMessage($"A text may use only the placeholders {string.Join(", ", SavedAnswerText.Known.Select(p => $"{{{p}}}"))}.");
    }
}

public static class SavedAnswersApi
{
    public static void MapSavedAnswers(this RouteGroupBuilder api)
    {
        var saved = api.MapGroup("/saved-answers");
        saved.MapGet("/", async (Database database, CancellationToken ct) =>
        {
            await using var connection = await database.OpenAsync(ct);
            return TypedResults.Ok(await SavedAnswerStore.AllAsync(connection, null));
        });
        saved.MapPut("/{shortcut}", async Task<Results<Ok<SavedAnswer>, ProblemHttpResult>> (string shortcut, SaveAnswer body, Database database,
            TimeProvider clock, CancellationToken ct) =>
        {
            if (!SavedAnswerDesk.IsShortcut(shortcut)) return Problems.BadRequest("A shortcut is 1-32 letters, digits, - or _.");
            var answer = await database.WriteAsync(async (c, t) =>
            {
                await SavedAnswerStore.SaveAsync(c, t, shortcut, body.Texts!, null, clock.GetUtcNow());
                return (await SavedAnswerStore.FindAsync(c, t, shortcut))!;
            }, ct);
            return TypedResults.Ok(answer);
        }).AddEndpointFilter<Validated<SaveAnswer>>();
        saved.MapDelete("/{shortcut}", async Task<Results<NoContent, ProblemHttpResult>> (string shortcut, Database database, TimeProvider clock,
            CancellationToken ct) =>
            await database.WriteAsync((c, t) => SavedAnswerStore.DeleteAsync(c, t, shortcut, null, clock.GetUtcNow()), ct)
                ? TypedResults.NoContent()
                : Problems.NotFound($"There is no saved answer {shortcut}."));
    }
}
