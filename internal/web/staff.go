package web

import (
	"net/http"
	"strings"

	"github.com/oneaccount/oneaccount/internal/identity"
)

// staffActor is the signed-in staff member as an identity.Actor.
func (w *Web) staffActor(r *http.Request) identity.Actor {
	u, _ := currentUser(r)
	return identity.Actor{Account: u.Account, Client: w.client(r)}
}

type staffData struct {
	Query    string
	Results  []identity.Account
	Resident *identity.Account
	Purpose  string
	Team     []identity.Account
	Roles    []identity.Role
	Searched bool
	// CanSearch shows the resident search to staff who may use it.
	CanSearch bool
}

// staffHome is the staff desk: resident search for staff who serve
// residents, the team for entity admins.
func (w *Web) staffHome(rw http.ResponseWriter, r *http.Request) {
	actor := w.staffActor(r)
	if err := identity.CanUseStaffDesk(actor); err != nil {
		w.fail(rw, r, err)
		return
	}
	d := &staffData{Query: strings.TrimSpace(r.URL.Query().Get("q")), Roles: identity.Roles,
		CanSearch: identity.CanViewResidents(actor) == nil}
	f := &form{Values: map[string]string{}, Errors: map[string]string{}, Extra: d}
	status := http.StatusOK
	if d.Query != "" {
		res, err := w.opt.Identity.FindResidents(r.Context(), actor, d.Query)
		d.Results, d.Searched = res, err == nil
		if err != nil {
			status = f.fail(err, "q")
		}
	}
	if identity.CanManageStaff(actor, actor.Account.Entity, nil) == nil {
		team, err := w.opt.Identity.StaffOf(r.Context(), actor, actor.Account.Entity)
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		d.Team = team
	}
	w.renderForm(rw, r, status, "staff", "staff.title", f)
}

// staffResident opens a resident's record; a purpose is required and the
// view is audited.
func (w *Web) staffResident(rw http.ResponseWriter, r *http.Request) {
	actor := w.staffActor(r)
	purpose := r.URL.Query().Get("purpose")
	if r.Method == http.MethodPost {
		purpose = r.PostFormValue("purpose")
	}
	d := &staffData{Purpose: purpose}
	f := &form{Values: map[string]string{"purpose": purpose, "id": r.PathValue("id")}, Errors: map[string]string{}, Extra: d}
	if purpose == "" {
		if err := identity.CanViewResidents(actor); err != nil {
			w.fail(rw, r, err)
			return
		}
		w.renderForm(rw, r, http.StatusOK, "staff-resident", "staff.resident_title", f)
		return
	}
	a, err := w.opt.Identity.ViewResident(r.Context(), actor, r.PathValue("id"), purpose)
	if err != nil {
		if isCode(err, "invalid") {
			w.renderForm(rw, r, f.fail(err, "purpose"), "staff-resident", "staff.resident_title", f)
			return
		}
		w.fail(rw, r, err)
		return
	}
	d.Resident = &a
	w.renderForm(rw, r, http.StatusOK, "staff-resident", "staff.resident_title", f)
}

// staffVerify records an in-person identity check.
func (w *Web) staffVerify(rw http.ResponseWriter, r *http.Request) {
	actor := w.staffActor(r)
	id := r.PathValue("id")
	f := newForm(r, "doc_type", "doc_number", "doc_country", "purpose")
	a, err := w.opt.Identity.VerifyIdentity(r.Context(), actor, id, f.Values["doc_type"], f.Values["doc_number"], f.Values["doc_country"])
	if err != nil {
		if isCode(err, "forbidden") || isCode(err, "not_found") {
			w.fail(rw, r, err)
			return
		}
		view, verr := w.opt.Identity.ViewResident(r.Context(), actor, id, "identity verification")
		if verr != nil {
			w.fail(rw, r, verr)
			return
		}
		f.Extra = &staffData{Resident: &view, Purpose: "identity verification"}
		f.Values["id"] = id
		w.renderForm(rw, r, f.fail(err, "doc_number"), "staff-resident", "staff.resident_title", f)
		return
	}
	http.Redirect(rw, r, "/staff/residents/"+a.ID+"?purpose=identity+verification&done=verified", http.StatusSeeOther)
}

// staffRoles replaces a team member's roles.
func (w *Web) staffRoles(rw http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		w.Error(rw, r, http.StatusBadRequest)
		return
	}
	var roles []identity.Role
	for _, v := range r.PostForm["role"] {
		roles = append(roles, identity.Role(v))
	}
	if err := w.opt.Identity.SetStaffRoles(r.Context(), w.staffActor(r), r.PathValue("id"), roles); err != nil {
		w.fail(rw, r, err)
		return
	}
	http.Redirect(rw, r, "/staff?done=roles#team", http.StatusSeeOther)
}

// staffCreate lets an entity admin create a staff member of their entity.
func (w *Web) staffCreate(rw http.ResponseWriter, r *http.Request) {
	actor := w.staffActor(r)
	f := newForm(r, "email", "name", "role")
	ns, err := w.opt.Identity.CreateStaff(r.Context(), actor, identity.StaffRequest{Entity: actor.Account.Entity,
		Roles: []identity.Role{identity.Role(f.Values["role"])}, Email: f.Values["email"], Name: f.Values["name"],
		Password: r.PostFormValue("new_password")})
	if err != nil {
		if isCode(err, "forbidden") {
			w.fail(rw, r, err)
			return
		}
		err = renameField(err, "password", "new_password")
		d := &staffData{Roles: identity.Roles}
		d.Team, _ = w.opt.Identity.StaffOf(r.Context(), actor, actor.Account.Entity)
		f.Extra = d
		w.renderForm(rw, r, f.fail(err, "email"), "staff", "staff.title", f)
		return
	}
	rw.Header().Set("Cache-Control", "no-store")
	p := w.newPage(r, "", ns)
	p.Title = p.L.T("staff.created_title")
	w.render(rw, r, http.StatusOK, "staff-created", p)
}

// outbox shows the development sink's messages (only with --demo).
func (w *Web) outbox(rw http.ResponseWriter, r *http.Request) {
	rw.Header().Set("Cache-Control", "no-store")
	p := w.newPage(r, "", w.opt.Outbox.Messages())
	p.Title = p.L.T("outbox.title")
	w.render(rw, r, http.StatusOK, "outbox", p)
}
