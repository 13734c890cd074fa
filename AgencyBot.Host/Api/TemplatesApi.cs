using AgencyBot.Core.Tasks;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace AgencyBot.Host.Api;

public sealed record TemplateResponse(long Id, string Name, IReadOnlyList<TemplateTask> Tasks, TemplateBudget? Budget)
{
    public static TemplateResponse From(StoredTemplate t) => new(t.Id, t.Body.Name!, t.Body.Tasks ?? [], t.Body.Budget);
}

/// <summary>Task templates: a named tree of tasks, subtasks and checklist items (see templates/*.json).</summary>
public static class TemplatesApi
{
    public static void MapTemplates(this RouteGroupBuilder api)
    {
        var templates = api.MapGroup("/templates");
        templates.MapGet("/", async (TemplateStore store, CancellationToken ct) =>
            TypedResults.Ok((await store.ListAsync(ct)).Select(TemplateResponse.From).ToList()));
        templates.MapGet("/{id:long}", GetAsync);
        templates.MapPost("/", CreateAsync).AddEndpointFilter<Validated<Template>>();
        templates.MapPut("/{id:long}", UpdateAsync).AddEndpointFilter<Validated<Template>>();
        templates.MapDelete("/{id:long}", async (long id, TemplateStore store, CancellationToken ct) =>
            await store.DeleteAsync(id, ct) ? (IResult)TypedResults.NoContent() : Problems.NotFound($"There is no template {id}."));
    }

    private static async Task<Results<Ok<TemplateResponse>, ProblemHttpResult>> GetAsync(long id, TemplateStore store, CancellationToken ct) =>
        await store.FindAsync(id, ct) is { } template ? TypedResults.Ok(TemplateResponse.From(template)) : Problems.NotFound($"There is no template {id}.");

    private static async Task<Results<Created<TemplateResponse>, Conflict<ProblemDetails>>> CreateAsync(Template body, TemplateStore store, CancellationToken ct) =>
        await store.AddAsync(body, ct) is { } created
            ? TypedResults.Created($"/api/templates/{created.Id}", TemplateResponse.From(created))
            : TypedResults.Conflict(new ProblemDetails { Status = 409, Title = "Name taken", Detail = $"A template named '{body.Name}' exists." });

    private static async Task<Results<NoContent, ProblemHttpResult>> UpdateAsync(long id, Template body, TemplateStore store, CancellationToken ct)
    {
        if (await store.FindAsync(id, ct) is null) return Problems.NotFound($"There is no template {id}.");
        return await store.UpdateAsync(id, body, ct)
            ? TypedResults.NoContent()
            : TypedResults.Problem(statusCode: 409, title: "Name taken", detail: $"Another template is named '{body.Name}'.");
    }
}
