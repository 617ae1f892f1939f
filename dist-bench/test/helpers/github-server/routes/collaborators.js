import { renderUser } from "../render.js";
import { notFound } from "../replies.js";
/** The legacy `permission` GitHub reports next to `role_name`: maintain counts as write, triage as read. */
const PERMISSION = { admin: "admin", maintain: "write", write: "write", triage: "read", read: "read" };
const GRANTS = {
    admin: { admin: true, maintain: true, push: true, triage: true, pull: true },
    maintain: { admin: false, maintain: true, push: true, triage: true, pull: true },
    write: { admin: false, maintain: false, push: true, triage: true, pull: true },
    triage: { admin: false, maintain: false, push: false, triage: true, pull: true },
    read: { admin: false, maintain: false, push: false, triage: false, pull: true },
};
/**
 * A person's role in a repository. Repositories here are public, so someone GitHub knows but
 * who holds no role reads as `read`, as on github.com; a login nobody has is 404.
 */
export function installCollaboratorRoutes(site) {
    site.route("GET", "/repos/:owner/:repo/collaborators/:username/permission", ({ params }) => {
        const repo = site.repoFor(params);
        const user = site.knownUser(params.username);
        if (!repo)
            return notFound();
        if (!user)
            return notFound(`${params.username} is not a user`);
        const role = repo.roles.get(user.login.toLowerCase()) ?? "read";
        return {
            status: 200,
            body: { permission: PERMISSION[role], role_name: role, user: { ...renderUser(site, user), permissions: GRANTS[role], role_name: role } },
        };
    });
}
