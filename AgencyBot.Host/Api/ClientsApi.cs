using AgencyBot.Core.Clients;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AgencyBot.Host.Api;

/// <param name="Language">en or fr: the language the client's invitations are written in.</param>
/// <param name="Contact">Who at the client the invitations greet.</param>
public sealed record CreateClient(string? Name, string? Language = null, string? Contact = null);

internal sealed class CreateClientValidator : AbstractValidator<CreateClient>
{
    public CreateClientValidator()
    {
        RuleFor(c => c.Name).NotEmpty().MaximumLength(100);
        RuleFor(c => c.Language).Must(l => l is null || AgencyBot.Core.Onboarding.ProjectSetup.Languages.Contains(l)).WithMessage("'Language' must be en or fr.");
        RuleFor(c => c.Contact).MaximumLength(100);
    }
}

/// <summary>Any of: a new name, language or contact ("" clears those two), archived true (kept with its history, no
/// longer offered for new projects) or false (back).</summary>
public sealed record ChangeClient(string? Name, string? Language, string? Contact, bool? Archived);

internal sealed class ChangeClientValidator : AbstractValidator<ChangeClient>
{
    public ChangeClientValidator()
    {
        RuleFor(c => c.Name).Must(n => n is null || n.Trim().Length is > 0 and <= 100).WithMessage("'Name' must be 1-100 characters.");
        RuleFor(c => c.Language).Must(l => l is null or "" || AgencyBot.Core.Onboarding.ProjectSetup.Languages.Contains(l)).WithMessage("'Language' must be en, fr or empty.");
        RuleFor(c => c.Contact).MaximumLength(100);
        RuleFor(c => c).Must(c => c.Name is not null || c.Language is not null || c.Contact is not null || c.Archived is not null).WithName("body")
            .WithMessage("Give at least one of name, language, contact, archived.");
    }
}

public static class ClientsApi
{
    public static void MapClients(this RouteGroupBuilder api)
    {
        var clients = api.MapGroup("/clients");
        clients.MapGet("/", async (ClientStore store, CancellationToken ct) => TypedResults.Ok(await store.ListAsync(ct)));
        clients.MapGet("/{id:long}", GetAsync);
        clients.MapPost("/", async (CreateClient body, ClientStore store, CancellationToken ct) =>
        {
            var client = await store.AddAsync(body.Name!.Trim(), body.Language, string.IsNullOrWhiteSpace(body.Contact) ? null : body.Contact.Trim(), ct);
            return TypedResults.Created($"/api/clients/{client.Id}", client);
        }).AddEndpointFilter<Validated<CreateClient>>();
        clients.MapPatch("/{id:long}", async Task<Results<Ok<Client>, ProblemHttpResult>> (long id, ChangeClient body, AgencyBot.Core.Data.Database database,
            TimeProvider clock, CancellationToken ct) =>
            await database.WriteAsync((c, t) => ClientStore.ChangeAsync(c, t, id, body.Name?.Trim(), body.Language, body.Contact?.Trim(), body.Archived, clock.GetUtcNow()), ct)
                is { } client ? TypedResults.Ok(client) : Problems.NotFound($"There is no client {id}.")).AddEndpointFilter<Validated<ChangeClient>>();
    }

    private static async Task<Results<Ok<Client>, ProblemHttpResult>> GetAsync(long id, ClientStore store, CancellationToken ct) =>
        await store.FindAsync(id, ct) is { } client ? TypedResults.Ok(client) : Problems.NotFound($"There is no client {id}.");
}
