using FluentValidation;

namespace AgencyBot.Core.Tasks;

/// <summary>A named tree of tasks, subtasks and checklist items, each with a team role and a due offset in working
/// days from the project's start. Stored as JSON; see templates/*.json for examples.</summary>
public sealed record Template(string? Name, IReadOnlyList<TemplateTask>? Tasks, TemplateBudget? Budget = null);

/// <summary>The hours a project made from the template is allotted: "monthly" (a retainer) or "total" (a fixed scope).</summary>
public sealed record TemplateBudget(string? Kind, double? Hours);

/// <param name="Key">Optional name other tasks use in <paramref name="After"/>.</param>
/// <param name="After">Keys of tasks that must be done before this one starts.</param>
public sealed record TemplateTask(
    string? Title,
    string? Role = null,
    int? DueInWorkingDays = null,
    string? Description = null,
    string? Key = null,
    bool StaffOnly = false,
    IReadOnlyList<string>? After = null,
    IReadOnlyList<TemplateCheck>? Checklist = null,
    IReadOnlyList<TemplateTask>? Subtasks = null);

public sealed record TemplateCheck(string? Text, string? Role = null, int? DueInWorkingDays = null);

/// <summary>Refuses templates that could not be applied: unknown roles, negative offsets, subtasks of subtasks,
/// unknown or repeated keys, and dependencies that go round in a cycle. Failures name the field
/// (e.g. <c>Tasks[1].Subtasks[0].Role</c>).</summary>
public sealed class TemplateValidator : AbstractValidator<Template>
{
    public TemplateValidator(IReadOnlyCollection<string> teamRoles)
    {
        RuleFor(t => t.Name).NotEmpty().MaximumLength(100);
        RuleFor(t => t.Tasks).NotEmpty();
        RuleForEach(t => t.Tasks).NotNull().SetValidator(new TaskValidator(teamRoles, allowSubtasks: true));
        RuleFor(t => t.Budget!.Kind).Must(k => k is "monthly" or "total").WithMessage("'Budget.Kind' must be monthly or total.")
            .OverridePropertyName("Budget.Kind").When(t => t.Budget is not null);
        RuleFor(t => t.Budget!.Hours).NotNull().GreaterThan(0).LessThanOrEqualTo(100_000).OverridePropertyName("Budget.Hours").When(t => t.Budget is not null);
        RuleFor(t => t).Custom((template, context) =>
        {
            if (HasNulls(template.Tasks)) return; // reported field by field above
            var all = Flatten(template.Tasks ?? [], "Tasks").ToList();
            var keys = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (task, path) in all.Where(x => x.Task.Key is not null))
                if (!keys.TryAdd(task.Key!, path)) context.AddFailure($"{path}.Key", $"The key '{task.Key}' is used twice.");
            foreach (var (task, path) in all)
                foreach (var after in task.After ?? [])
                    if (!keys.ContainsKey(after)) context.AddFailure($"{path}.After", $"'{after}' is not the key of any task.");
            if (FindCycle(all.Select(x => x.Task).Where(t => t.Key is not null).ToDictionary(t => t.Key!, t => t.After ?? [])) is { } cycle)
                context.AddFailure($"{keys[cycle[0]]}.After", $"The tasks depend on each other in a cycle: {string.Join(" → ", cycle)}.");
        });
    }

    private static bool HasNulls(IReadOnlyList<TemplateTask>? tasks) =>
        tasks is not null && tasks.Any(t => t is null || (t.After?.Any(a => a is null) ?? false) || (t.Checklist?.Any(c => c is null) ?? false) || HasNulls(t.Subtasks));

    internal static IEnumerable<(TemplateTask Task, string Path)> Flatten(IReadOnlyList<TemplateTask> tasks, string path)
    {
        for (var i = 0; i < tasks.Count; i++)
        {
            var here = $"{path}[{i}]";
            yield return (tasks[i], here);
            foreach (var sub in Flatten(tasks[i].Subtasks ?? [], $"{here}.Subtasks")) yield return sub;
        }
    }

    /// <summary>A dependency cycle as a list of keys (first repeated at the end), or null.</summary>
    private static List<string>? FindCycle(Dictionary<string, IReadOnlyList<string>> after)
    {
        var state = new Dictionary<string, int>(); // 1 visiting, 2 done
        var path = new List<string>();
        foreach (var key in after.Keys)
            if (Visit(key) is { } cycle) return cycle;
        return null;

        List<string>? Visit(string key)
        {
            if (state.GetValueOrDefault(key) == 2 || !after.ContainsKey(key)) return null;
            if (state.GetValueOrDefault(key) == 1) return [.. path.SkipWhile(k => k != key), key];
            state[key] = 1;
            path.Add(key);
            foreach (var next in after[key])
                if (Visit(next) is { } cycle) return cycle;
            path.RemoveAt(path.Count - 1);
            state[key] = 2;
            return null;
        }
    }

    private sealed class TaskValidator : AbstractValidator<TemplateTask>
    {
        public TaskValidator(IReadOnlyCollection<string> teamRoles, bool allowSubtasks)
        {
            RuleFor(t => t.Title).NotEmpty().MaximumLength(200);
            RuleFor(t => t.Description).MaximumLength(2000);
            RuleFor(t => t.Key).MaximumLength(50);
            RuleFor(t => t.Role).Must(r => r is null || teamRoles.Contains(r))
                .WithMessage(_ => $"'Role' must be one of the team roles: {string.Join(", ", teamRoles)}.");
            RuleFor(t => t.DueInWorkingDays).GreaterThanOrEqualTo(0).LessThanOrEqualTo(1000);
            RuleForEach(t => t.After).NotNull();
            RuleForEach(t => t.Checklist).NotNull().ChildRules(check =>
            {
                check.RuleFor(c => c.Text).NotEmpty().MaximumLength(200);
                check.RuleFor(c => c.Role).Must(r => r is null || teamRoles.Contains(r))
                    .WithMessage(_ => $"'Role' must be one of the team roles: {string.Join(", ", teamRoles)}.");
                check.RuleFor(c => c.DueInWorkingDays).GreaterThanOrEqualTo(0).LessThanOrEqualTo(1000);
            });
            if (allowSubtasks)
                RuleForEach(t => t.Subtasks).NotNull().SetValidator(new TaskValidator(teamRoles, allowSubtasks: false));
            else
                RuleFor(t => t.Subtasks).Empty().WithMessage("A subtask cannot have subtasks of its own; use its checklist.");
        }
    }
}
