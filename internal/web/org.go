package web

import (
	"net/http"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/lang"
)

// Organisation pages. Every permission is the identity domain's: these
// handlers only turn its answers into pages. A non-member gets the same
// 404 as for an organisation that does not exist.

// acting returns the organisation the signed-in person acts for, for the
// layout's indicator; nil when they act for themselves.
func (w *Web) acting(r *http.Request, u user) *identity.Membership {
	if u.Session.ActingOrg == "" || w.opt.Identity == nil {
		return nil
	}
	m, ok, err := w.opt.Identity.ActingMembership(r.Context(), u.Session)
	if err != nil {
		w.opt.Log.ErrorContext(r.Context(), "acting membership", "err", err)
		return nil
	}
	if !ok {
		return nil
	}
	return &m
}

// orgsData is the organisations page: the person's organisations, the
// switch between acting for themselves and for one of them, and the form
// to register one.
type orgsData struct {
	Orgs   []identity.Membership
	Acting string
	Level  identity.Level
	Done   string
}

func (w *Web) orgsPage(rw http.ResponseWriter, r *http.Request, status int, f *form) {
	u, _ := currentUser(r)
	orgs, err := w.opt.Identity.MyOrgs(r.Context(), u.Account)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	f.Extra = &orgsData{Orgs: orgs, Acting: u.Session.ActingOrg, Level: u.Account.EffectiveLevel(),
		Done: doneKey(r, "acting", "left")}
	w.renderForm(rw, r, status, "orgs", "orgs.title", f)
}

// doneKey returns the "done" query value when it is one of known.
func doneKey(r *http.Request, known ...string) string {
	d := r.URL.Query().Get("done")
	for _, k := range known {
		if d == k {
			return d
		}
	}
	return ""
}

// orgs lists the person's organisations.
func (w *Web) orgs(rw http.ResponseWriter, r *http.Request) {
	w.orgsPage(rw, r, http.StatusOK, &form{Values: map[string]string{}, Errors: map[string]string{}})
}

// orgCreate registers an organisation with the person as administrator.
func (w *Web) orgCreate(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	f := newForm(r, "reg_number", "name_zh", "name_pt", "name_en")
	o, err := w.opt.Identity.CreateOrg(r.Context(), u.Account, identity.OrgRequest{RegNumber: f.Values["reg_number"],
		Name: lang.Text{ZhHant: f.Values["name_zh"], Pt: f.Values["name_pt"], En: f.Values["name_en"]}}, w.client(r))
	if err != nil {
		if apperr.CodeOf(err) == apperr.Internal {
			w.fail(rw, r, err)
			return
		}
		w.orgsPage(rw, r, f.fail(err, ""), f)
		return
	}
	http.Redirect(rw, r, "/orgs/"+o.ID+"?done=created", http.StatusSeeOther)
}

// orgAct switches between acting for oneself ("") and for an
// organisation; the session cookie is replaced by the rotated one.
func (w *Web) orgAct(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	token, err := w.opt.Identity.ActFor(r.Context(), u.Account, u.Session, r.PostFormValue("org"), w.client(r))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.setCookie(rw, w.sessionCookie(), token, w.opt.Identity.Config().Sessions.Absolute)
	next := "/orgs?done=acting"
	if n := r.PostFormValue("next"); n != "" {
		next = localPath(n)
	}
	http.Redirect(rw, r, next, http.StatusSeeOther)
}

// orgData is an organisation's page.
type orgData struct {
	identity.OrgView
	Roles  []identity.OrgRole
	Me     string
	Acting bool
	Done   string
}

func (w *Web) orgPage(rw http.ResponseWriter, r *http.Request, status int, f *form) {
	u, _ := currentUser(r)
	id := r.PathValue("id")
	v, err := w.opt.Identity.OrgPage(r.Context(), u.Account, id)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	f.Extra = &orgData{OrgView: v, Roles: identity.OrgRoles, Me: u.Account.ID, Acting: u.Session.ActingOrg == id,
		Done: doneKey(r, "created", "invited", "joined", "role", "removed")}
	p := w.newPage(r, "", f)
	p.Title = p.L.Text(v.Org.Name)
	rw.Header().Set("Cache-Control", "no-store")
	w.render(rw, r, status, "org", p)
}

// orgForm is the organisation page's empty form: the invitation form
// offers the member role first.
func orgForm() *form {
	return &form{Values: map[string]string{"role": string(identity.OrgRoleMember)}, Errors: map[string]string{}}
}

// org shows an organisation to its members.
func (w *Web) org(rw http.ResponseWriter, r *http.Request) {
	w.orgPage(rw, r, http.StatusOK, orgForm())
}

// orgFailed shows an organisation action's error: the error page when
// the person may not see the organisation or act on it, else the page
// again with the error summary.
func (w *Web) orgFailed(rw http.ResponseWriter, r *http.Request, f *form, err error, field string) {
	switch apperr.CodeOf(err) {
	case apperr.NotFound, apperr.Forbidden, apperr.Internal, apperr.Unauthenticated:
		w.fail(rw, r, err)
		return
	}
	w.orgPage(rw, r, f.fail(err, field), f)
}

// orgInvite sends an invitation.
func (w *Web) orgInvite(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	f := newForm(r, "email", "role")
	id := r.PathValue("id")
	_, err := w.opt.Identity.InviteToOrg(r.Context(), u.Account, id, f.Values["email"], identity.OrgRole(f.Values["role"]), w.client(r))
	if err != nil {
		w.orgFailed(rw, r, f, err, "email")
		return
	}
	http.Redirect(rw, r, "/orgs/"+id+"?done=invited", http.StatusSeeOther)
}

// orgRole changes a member's role.
func (w *Web) orgRole(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	id, member := r.PathValue("id"), r.PathValue("account")
	err := w.opt.Identity.SetOrgRole(r.Context(), u.Account, id, member, identity.OrgRole(r.PostFormValue("role")), w.client(r))
	if err != nil {
		// The error belongs to this member's role select, not the
		// invitation form's.
		if e, ok := apperr.As(err); ok && e.Field == "role" {
			c := *e
			c.Field = "role-" + member
			err = &c
		}
		w.orgFailed(rw, r, orgForm(), err, "")
		return
	}
	http.Redirect(rw, r, "/orgs/"+id+"?done=role", http.StatusSeeOther)
}

// orgRemove removes a member.
func (w *Web) orgRemove(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	id := r.PathValue("id")
	if err := w.opt.Identity.RemoveOrgMember(r.Context(), u.Account, id, r.PathValue("account"), w.client(r)); err != nil {
		w.orgFailed(rw, r, orgForm(), err, "")
		return
	}
	http.Redirect(rw, r, "/orgs/"+id+"?done=removed", http.StatusSeeOther)
}

// orgLeave ends the person's own membership.
func (w *Web) orgLeave(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	if err := w.opt.Identity.LeaveOrg(r.Context(), u.Account, r.PathValue("id"), w.client(r)); err != nil {
		w.orgFailed(rw, r, orgForm(), err, "")
		return
	}
	http.Redirect(rw, r, "/orgs?done=left", http.StatusSeeOther)
}

// invitationData is the invitation page.
type invitationData struct {
	Token string
	View  *identity.InvitationView
}

// orgInvitation shows an invitation to the person it was sent to, with the
// button to accept it; anyone else sees why they cannot.
func (w *Web) orgInvitation(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	token := r.PathValue("token")
	f := &form{Values: map[string]string{}, Errors: map[string]string{}, Extra: &invitationData{Token: token}}
	status := http.StatusOK
	v, err := w.opt.Identity.OrgInvitation(r.Context(), u.Account, token)
	switch {
	case apperr.CodeOf(err) == apperr.Internal:
		w.fail(rw, r, err)
		return
	case err != nil:
		status = f.fail(err, "")
	default:
		f.Extra = &invitationData{Token: token, View: &v}
	}
	w.renderForm(rw, r, status, "org-invitation", "org.invitation_title", f)
}

// orgAccept accepts an invitation.
func (w *Web) orgAccept(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	token := r.PathValue("token")
	m, err := w.opt.Identity.AcceptOrgInvitation(r.Context(), u.Account, token, w.client(r))
	if err != nil {
		if apperr.CodeOf(err) == apperr.Internal {
			w.fail(rw, r, err)
			return
		}
		f := &form{Values: map[string]string{}, Errors: map[string]string{}, Extra: &invitationData{Token: token}}
		w.renderForm(rw, r, f.fail(err, ""), "org-invitation", "org.invitation_title", f)
		return
	}
	http.Redirect(rw, r, "/orgs/"+m.Org.ID+"?done=joined", http.StatusSeeOther)
}
