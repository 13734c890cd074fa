using AgencyBot.Core.Clients;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AgencyBot.Host.Api;

public sealed record CreateClient(string? Name);

internal sealed class CreateClientValidator : AbstractValidator<CreateClient>
{
    public CreateClientValidator() => RuleFor(c => c.Name).NotEmpty().MaximumLength(100);
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
            var client = await store.AddAsync(body.Name!.Trim(), ct);
            return TypedResults.Created($"/api/clients/{client.Id}", client);
        }).AddEndpointFilter<Validated<CreateClient>>();
    }

    private static async Task<Results<Ok<Client>, ProblemHttpResult>> GetAsync(long id, ClientStore store, CancellationToken ct) =>
        await store.FindAsync(id, ct) is { } client ? TypedResults.Ok(client) : Problems.NotFound($"There is no client {id}.");
}
